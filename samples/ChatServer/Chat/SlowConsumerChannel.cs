using System.Net.WebSockets;
using Reactive.Edits.Remote;

namespace ChatServer.Chat;

/// <summary>The server's side of one WebSocket, which ends a connection whose outbox overflowed (a client that reads
/// too slowly) with close status 1008 (<see cref="WebSocketCloseStatus.PolicyViolation"/>) instead of dropping it silently.</summary>
/// <remarks>
/// <para>When the outbox overflows, the library's driver cancels the send in flight, and a cancelled WebSocket send
/// aborts the socket: the close frame could never be sent. So here the send in flight gets up to
/// <see cref="ChatOptions.CloseTimeout"/> to finish, no further frame is sent, and then the close frame goes out; the
/// socket stays up until the client answers the close or <see cref="ChatOptions.CloseTimeout"/> ends (aborting at once
/// would discard what Kestrel still buffers). A client that reads again in time gets the frames already sent and then
/// the 1008 close; a client that does not read at all cannot receive it, and its socket is aborted when the timeout ends.</para>
/// <para>The receive is treated alike: a cancelled WebSocket receive would abort the socket as well, so after an
/// overflow it is left pending (it ends when the socket does) and the connection's end is reported at once.</para>
/// <para>Any other end of the connection (the client left, the host stops) keeps the inner channel's behaviour.</para>
/// </remarks>
internal sealed class SlowConsumerChannel(WebSocket socket, RemoteEditConnection connection, int maxFrameSize, TimeSpan closeTimeout) : IMessageChannel
{
    private readonly TimeSpan _closeTimeout = closeTimeout;

    /// <summary>The close status sent to a client whose outbox overflowed.</summary>
    public const WebSocketCloseStatus OverflowStatus = WebSocketCloseStatus.PolicyViolation;

    /// <summary>The close description sent with <see cref="OverflowStatus"/>.</summary>
    public const string OverflowDescription = "Outbox full: the client reads too slowly.";

    private readonly WebSocketMessageChannel _inner = new(socket, new WebSocketMessageChannelOptions { MaxMessageSize = maxFrameSize, CloseTimeout = closeTimeout });
    private Task<ChannelMessage?>? _abandonedReceive;

    public async ValueTask SendAsync(ChannelMessage message, CancellationToken cancellationToken)
    {
        // After the connection ended, the frames still queued are dropped: a slow reader must not hold the server longer.
        cancellationToken.ThrowIfCancellationRequested();
        using var send = new CancellationTokenSource();
        using var stop = cancellationToken.Register(static state =>
        {
            var (self, send) = ((SlowConsumerChannel, CancellationTokenSource))state!;
            if (self.Overflowed)
            {
                send.CancelAfter(self._closeTimeout);
            }
            else
            {
                send.Cancel();
            }
        }, (this, send));
        await _inner.SendAsync(message, send.Token).ConfigureAwait(false);
    }

    public async ValueTask<ChannelMessage?> ReceiveAsync(CancellationToken cancellationToken)
    {
        // A cancelled WebSocket receive aborts the socket too. After an overflow the receive is left pending instead
        // (it ends with the socket), and the connection's end is reported at once, so that the close frame can follow.
        var abandoned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var receiveCancel = new CancellationTokenSource();
        await using var stop = cancellationToken.Register(static state =>
        {
            var (self, abandoned, receiveCancel) = ((SlowConsumerChannel, TaskCompletionSource, CancellationTokenSource))state!;
            if (self.Overflowed)
            {
                abandoned.TrySetResult();
            }
            else
            {
                receiveCancel.Cancel();
            }
        }, (this, abandoned, receiveCancel));
        var receive = _inner.ReceiveAsync(receiveCancel.Token).AsTask();
        if (await Task.WhenAny(receive, abandoned.Task).ConfigureAwait(false) == receive)
        {
            receiveCancel.Dispose();
            return await receive.ConfigureAwait(false);
        }
        _abandonedReceive = receive;
        _ = receive.ContinueWith(static (task, state) =>
        {
            // Observed, so that the abort that ends it is not an unobserved exception.
            _ = task.Exception;
            ((CancellationTokenSource)state!).Dispose();
        }, receiveCancel, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return null;
    }

    public async ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        if (!Overflowed)
        {
            await _inner.CloseAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_closeTimeout);
            try
            {
                // A cancelled close aborts the socket: the end for a client that does not read at all.
                await socket.CloseOutputAsync(OverflowStatus, OverflowDescription, timeout.Token).ConfigureAwait(false);
                // The frames still in Kestrel's buffers and the close frame reach the client only if the socket is not
                // aborted at once: wait for the client's close (the pending receive ends with it), or the timeout.
                if (_abandonedReceive is { } pending)
                {
                    await pending.WaitAsync(timeout.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
            {
                // The client did not read or answer in time, or is gone: the socket is aborted next.
            }
        }
    }

    public ValueTask DisposeAsync() => _inner.DisposeAsync();

    private bool Overflowed => connection.Overflowed;
}
