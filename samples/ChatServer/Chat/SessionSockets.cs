using System.Net.WebSockets;
using ChatServer.Shared.Protocol;
using Microsoft.Extensions.Options;

namespace ChatServer.Chat;

/// <summary>The open sockets of each session, so that a logout closes the sockets its session authenticated: a socket
/// keeps the identity it was opened with, and would otherwise go on sending as the user who logged out.</summary>
/// <remarks>
/// <para>A logout sends each of the session's sockets the close frame <see cref="ChatProtocol.SessionEndedCloseStatus"/>
/// (4401) with the reason <see cref="LoggedOutReason"/>; a socket whose peer has not completed the close handshake
/// within <see cref="ChatOptions.CloseTimeout"/> is aborted. The client reconnects, anonymous.</para>
/// <para>This process's sockets only. With several nodes (<see cref="ChatOptions.Redis"/>) a logout reaches every node
/// over Redis pub/sub, and <see cref="Storage.Redis.RedisSessionEndRelay"/> calls <see cref="CloseSessionAsync"/> there.</para>
/// <para>Thread safety: every member may be called from any thread.</para>
/// </remarks>
public sealed class SessionSockets(TimeProvider time, IOptions<ChatOptions> options, ILogger<SessionSockets> logger)
{
    /// <summary>The close reason told to a socket whose session ended at logout.</summary>
    public const string LoggedOutReason = "Session ended: the user logged out. Log in again to send.";

    private readonly Dictionary<string, List<Entry>> _bySession = new(StringComparer.Ordinal);
    private readonly TimeSpan _closeTimeout = options.Value.CloseTimeout;
    private readonly TimeProvider _time = time;

    /// <summary>Counts <paramref name="socket"/> among the sockets of <paramref name="sessionId"/> until the returned registration is disposed.</summary>
    /// <param name="sessionId">The session the socket's upgrade request was authenticated with.</param>
    /// <param name="socket">The accepted socket.</param>
    /// <returns>The registration; dispose it when the connection has ended.</returns>
    public IDisposable Register(string sessionId, WebSocket socket)
    {
        var entry = new Entry(this, sessionId, socket);
        lock (_bySession)
        {
            if (!_bySession.TryGetValue(sessionId, out var sockets))
            {
                sockets = [];
                _bySession.Add(sessionId, sockets);
            }
            sockets.Add(entry);
        }
        return entry;
    }

    /// <summary>Closes every open socket of <paramref name="sessionId"/> with 4401 and <see cref="LoggedOutReason"/>.</summary>
    /// <param name="sessionId">The session that ended.</param>
    /// <param name="user">The session's user, for the log.</param>
    /// <returns>A task that completes when every close frame was sent (or its socket aborted).</returns>
    public async Task CloseSessionAsync(string sessionId, string? user)
    {
        List<Entry> sockets;
        lock (_bySession)
        {
            if (!_bySession.TryGetValue(sessionId, out var registered))
            {
                return;
            }
            sockets = [.. registered];
        }
        ChatLog.SessionSocketsClosing(logger, user ?? "(anonymous)", sockets.Count);
        await Task.WhenAll(sockets.Select(static entry => entry.CloseAsync()));
    }

    private void Unregister(Entry entry)
    {
        lock (_bySession)
        {
            if (_bySession.TryGetValue(entry.SessionId, out var sockets) && sockets.Remove(entry) && sockets.Count == 0)
            {
                _bySession.Remove(entry.SessionId);
            }
        }
    }

    private sealed class Entry(SessionSockets owner, string sessionId, WebSocket socket) : IDisposable
    {
        private ITimer? _abortTimer;
        private int _disposed;

        public string SessionId { get; } = sessionId;

        public async Task CloseAsync()
        {
            // Aborted unless the peer answers the close in time: it cannot keep the ended session's socket open.
            var abort = owner._time.CreateTimer(static state => ((WebSocket)state!).Abort(), socket, owner._closeTimeout, Timeout.InfiniteTimeSpan);
            if (Interlocked.CompareExchange(ref _abortTimer, abort, null) is not null || Volatile.Read(ref _disposed) != 0)
            {
                abort.Dispose();
                return;
            }
            using var timeout = new CancellationTokenSource(owner._closeTimeout, owner._time);
            try
            {
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync((WebSocketCloseStatus)ChatProtocol.SessionEndedCloseStatus, LoggedOutReason, timeout.Token);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
            {
                // The peer does not read, or is gone: a cancelled close aborted the socket, which ends the connection too.
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Exchange(ref _abortTimer, null)?.Dispose();
                owner.Unregister(this);
            }
        }
    }
}
