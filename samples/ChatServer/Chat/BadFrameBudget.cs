using System.Net.WebSockets;
using Reactive.Edits.Remote;

namespace ChatServer.Chat;

/// <summary>Counts one connection's bad frames — input a conforming client never sends: malformed or unknown messages,
/// answers, and edits on an anonymous connection — so that a flood of them is cut off instead of each costing an
/// answer and a log line. (A binary frame closes the socket with 1003 at once.)</summary>
/// <remarks>
/// <para>The first <see cref="ChatOptions.MaxBadFrames"/> are answered as usual (an <c>error</c> or a <c>reject</c>);
/// the next one is not, and closes the connection with 1008 (<see cref="CloseAsync"/>); no frame after it is answered.
/// (Issue 13: one anonymous socket sent 20,000 bad frames and got 20,000 answers and 20,000 warnings in 2.2 s.) A
/// conforming client that makes a mistake reconnects and gets a fresh budget.</para>
/// <para>Thread safety: every member may be called from any thread.</para>
/// </remarks>
/// <param name="limit">The most bad frames answered.</param>
/// <param name="socket">The connection's socket, to send the close frame on.</param>
internal sealed class BadFrameBudget(int limit, WebSocket socket)
{
    private int _spent;

    /// <summary>Gets the most bad frames answered.</summary>
    public int Limit => limit;

    /// <summary>Gets the close reason sent with 1008.</summary>
    public string CloseReason => $"Too many bad frames: at most {limit}.";

    /// <summary>Counts one bad frame.</summary>
    /// <param name="exceededNow">Set to <see langword="true"/> for the one frame that exceeded the budget.</param>
    /// <returns><see langword="true"/> while within the budget (answer it); <see langword="false"/> once it is exceeded.</returns>
    public bool TrySpend(out bool exceededNow)
    {
        var spent = Interlocked.Increment(ref _spent);
        exceededNow = spent == limit + 1;
        return spent <= limit;
    }

    /// <summary>Closes the connection that exceeded the budget: the close frame 1008 with <see cref="CloseReason"/>, then
    /// the end of <paramref name="connection"/>, so that its receive loop takes no further frame.</summary>
    /// <param name="connection">The connection the budget counts for.</param>
    /// <param name="closeTimeout">How long sending the close frame may take before the socket is aborted.</param>
    /// <param name="time">The clock of <paramref name="closeTimeout"/>.</param>
    /// <returns>A task that completes when the close frame was sent (or the socket aborted) and the connection is ending.
    /// It does not fail.</returns>
    /// <remarks>The close frame goes out before the connection ends: the connection's end closes its channel, which
    /// would otherwise send its own close (1000) first. Answers still queued for the client after the close frame are
    /// dropped: the close reason says why. The channel then waits for the client's close frame, dropping anything else,
    /// for at most its close timeout.</remarks>
    public async Task CloseAsync(RemoteEditConnection connection, TimeSpan closeTimeout, TimeProvider time)
    {
        using (var timeout = new CancellationTokenSource(closeTimeout, time))
        {
            try
            {
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, CloseReason, timeout.Token);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
            {
                // The client does not read, or is gone: a cancelled close aborted the socket, which ends the connection too.
            }
        }
        connection.Close();
    }
}
