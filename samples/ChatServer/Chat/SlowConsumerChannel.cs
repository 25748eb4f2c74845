using System.Net.WebSockets;
using Reactive.Edits.Remote;

namespace ChatServer.Chat;

/// <summary>The server's side of one WebSocket, which ends a connection whose outbox overflowed (a client that reads
/// too slowly) with close status 1008 (<see cref="WebSocketCloseStatus.PolicyViolation"/>) instead of dropping it silently.</summary>
/// <remarks>
/// <para>When the outbox overflows, the library's driver cancels the send in flight, and a cancelled WebSocket send
/// aborts the socket: the close frame could never be sent. So here the send in flight gets up to
/// <see cref="ChatOptions.CloseTimeout"/> to finish, no further frame is sent, and then the close frame goes out, also
/// within <see cref="ChatOptions.CloseTimeout"/>. A client that reads slowly gets the 1008 close after the frames it
/// has been sent; a client that does not read at all cannot receive it, and its socket is aborted when the timeout ends.</para>
/// <para>Any other end of the connection (the client left, the host stops) keeps the inner channel's behaviour.</para>
/// </remarks>
internal sealed class SlowConsumerChannel(WebSocket socket, RemoteEditConnection connection, TimeSpan closeTimeout) : IMessageChannel
{
    private readonly TimeSpan _closeTimeout = closeTimeout;

    /// <summary>The close status sent to a client whose outbox overflowed.</summary>
    public const WebSocketCloseStatus OverflowStatus = WebSocketCloseStatus.PolicyViolation;

    /// <summary>The close description sent with <see cref="OverflowStatus"/>.</summary>
    public const string OverflowDescription = "Outbox full: the client reads too slowly.";

    private readonly WebSocketMessageChannel _inner = new(socket, WebSocketMessageChannel.DefaultMaxMessageSize);

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

    public ValueTask<ChannelMessage?> ReceiveAsync(CancellationToken cancellationToken) => _inner.ReceiveAsync(cancellationToken);

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
            // A cancelled close aborts the socket: the end for a client that does not read at all.
            await socket.CloseOutputAsync(OverflowStatus, OverflowDescription, timeout.Token).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => _inner.DisposeAsync();

    private bool Overflowed => connection.Overflowed;
}
