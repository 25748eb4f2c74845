
namespace ChatServer.LoadTest;

/// <summary>A client of a cluster that behaves like the library's client when its node goes away: it connects to the
/// next node still running, and resends every send not yet settled with the same edit id and text and the next
/// attempt number. Sends made while it has no connection wait, pending, and go out after the reconnect as their first
/// attempt.</summary>
/// <remarks>A send settles with its first ack or reject; an answer to a resend of a settled send is ignored, as the
/// library's client ignores it.</remarks>
public sealed class FailoverConnection : ILoadConnection, ILoadSink
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);

    private readonly object _gate = new();
    private readonly ClusterTarget _cluster;
    private readonly int _client;
    private readonly string? _cookie;
    private readonly ILoadSink _sink;
    // The sends not settled yet, in the order they were made, with their last attempt.
    private readonly List<Guid> _order = [];
    private readonly Dictionary<Guid, (string Text, int Attempt)> _unsettled = [];
    private readonly CancellationTokenSource _stop = new();
    private ChatConnection? _current;
    private int _node;
    private int _resends;
    private long _movedAt;
    private Task _moving = Task.CompletedTask;

    private FailoverConnection(ClusterTarget cluster, int client, string? cookie, ILoadSink sink)
    {
        _cluster = cluster;
        _client = client;
        _cookie = cookie;
        _sink = sink;
        _node = cluster.NodeOf(client);
    }

    /// <summary>Gets the node the connection is on now (or is moving from).</summary>
    public int Node => Volatile.Read(ref _node);

    /// <summary>Gets when the last move completed (a <see cref="System.Diagnostics.Stopwatch"/> timestamp), or 0 if the
    /// connection never moved.</summary>
    public long MovedAt => Interlocked.Read(ref _movedAt);

    /// <summary>Gets how many sends were sent again (attempt 2 or more) after a move.</summary>
    public int Resends => Volatile.Read(ref _resends);

    /// <summary>Connects client <paramref name="client"/> to its node, logged in with <paramref name="cookie"/> (a
    /// sender; the session lives in Redis, so the cookie is valid on every node) or anonymous when null.</summary>
    public static async Task<FailoverConnection> OpenAsync(ClusterTarget cluster, int client, string? cookie, ILoadSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var connection = new FailoverConnection(cluster, client, cookie, sink);
        connection._current = await ChatConnection.OpenAsync(cluster.Nodes[connection._node].Server.Url, client, cookie, connection, null, cancellationToken);
        return connection;
    }

    public async Task<Guid> SendAsync(string text)
    {
        var id = Guid.NewGuid();
        await SendAsync(id, text);
        return id;
    }

    /// <summary>Sends a message under an edit id the caller chose (so it can record the send before any answer).</summary>
    public async Task SendAsync(Guid id, string text)
    {
        ChatConnection? current;
        lock (_gate)
        {
            current = _current;
            _order.Add(id);
            // Attempt 0: made while moving, not sent yet; the move sends it as its first attempt.
            _unsettled[id] = (text, current is null ? 0 : 1);
        }
        if (current is not null)
        {
            await TrySendAsync(current, id, 1, text);
        }
    }

    void ILoadSink.OnMessage(int client, string text) => _sink.OnMessage(client, text);

    void ILoadSink.OnAck(Guid id)
    {
        if (Settle(id))
        {
            _sink.OnAck(id);
        }
    }

    void ILoadSink.OnReject(Guid id, string code)
    {
        if (Settle(id))
        {
            _sink.OnReject(id, code);
        }
    }

    void ILoadSink.OnClosed(int client, string reason)
    {
        lock (_gate)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }
            var closed = _current;
            _current = null;
            _moving = Task.Run(() => MoveAsync(closed, _stop.Token));
        }
        _sink.OnClosed(client, reason);
    }

    public async ValueTask DisposeAsync()
    {
        ChatConnection? current;
        Task moving;
        lock (_gate)
        {
            _stop.Cancel();
            current = _current;
            _current = null;
            moving = _moving;
        }
        await moving;
        if (current is not null)
        {
            await current.DisposeAsync();
        }
        _stop.Dispose();
    }

    private bool Settle(Guid id)
    {
        lock (_gate)
        {
            if (!_unsettled.Remove(id))
            {
                return false;
            }
            _order.Remove(id);
            return true;
        }
    }

    // Tries the next running node, and the next, until one accepts; then resends what is unsettled, in order.
    private async Task MoveAsync(ChatConnection? closed, CancellationToken cancellationToken)
    {
        if (closed is not null)
        {
            // Its receive loop has ended (it told us so): this only releases the socket.
            await closed.DisposeAsync();
        }
        var delay = RetryDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            var node = NextRunningNode();
            Volatile.Write(ref _node, node);
            ChatConnection connection;
            try
            {
                connection = await ChatConnection.OpenAsync(_cluster.Nodes[node].Server.Url, _client, _cookie, this, null, cancellationToken);
            }
            catch (Exception exception) when (exception is System.Net.Sockets.SocketException or IOException or HttpRequestException or OperationCanceledException)
            {
                try
                {
                    await Task.Delay(delay, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
                continue;
            }
            List<(Guid Id, string Text, int Attempt)> resend;
            lock (_gate)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    // Disposed while connecting: the new socket is closed here, since no one else holds it.
                    _ = connection.DisposeAsync().AsTask();
                    return;
                }
                // Under the gate: a send made from here on goes out on the new connection by itself, one made before
                // is in this list; none is sent twice by this move.
                _current = connection;
                resend = [];
                foreach (var id in _order)
                {
                    var (text, attempt) = _unsettled[id];
                    _unsettled[id] = (text, attempt + 1);
                    resend.Add((id, text, attempt + 1));
                }
            }
            Interlocked.Add(ref _resends, resend.Count(send => send.Attempt > 1));
            foreach (var (id, text, attempt) in resend)
            {
                await TrySendAsync(connection, id, attempt, text);
            }
            Interlocked.Exchange(ref _movedAt, System.Diagnostics.Stopwatch.GetTimestamp());
            return;
        }
    }

    private int NextRunningNode()
    {
        var nodes = _cluster.Nodes;
        for (var step = 1; step <= nodes.Count; step++)
        {
            var candidate = (_node + step) % nodes.Count;
            if (!nodes[candidate].Server.HasExited)
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("Every node of the cluster has exited.");
    }

    // A send on a socket that is going away fails here; its close moves the connection, and the move resends it.
    private static async Task TrySendAsync(ChatConnection connection, Guid id, int attempt, string text)
    {
        try
        {
            await connection.SendEditAsync(id, attempt, text);
        }
        catch (Exception exception) when (exception is System.Net.Sockets.SocketException or InvalidOperationException or ObjectDisposedException)
        {
            // Left unsettled: the move that follows the close resends it.
        }
    }
}
