using System.Net.WebSockets;
using Reactive.Edits.Remote;

namespace ChatServer.Chat;

/// <summary>Closes a connection whose <see cref="BadFrameBudget"/> is exceeded with 1008
/// (<see cref="WebSocketCloseStatus.PolicyViolation"/>) instead of reading further frames from it.</summary>
/// <remarks>
/// The check runs in the receive loop, before each read and after it, so the close is sent while no receive is pending
/// (a cancelled WebSocket receive would abort the socket and lose the close frame). Once the close frame is out, the
/// receive reports the end of the connection; the inner channel's close then waits for the client's close frame,
/// dropping anything else, for at most its close timeout. Frames still queued for the client after the close frame are
/// dropped: the close reason says why.
/// </remarks>
/// <param name="inner">The socket's channel.</param>
/// <param name="socket">The socket, to send the close frame on (the WebSocket serializes it with the channel's sends).</param>
/// <param name="budget">The connection's budget.</param>
/// <param name="closeTimeout">How long sending the close frame may take before the socket is aborted.</param>
/// <param name="time">The clock of <paramref name="closeTimeout"/>.</param>
internal sealed class BadFrameBudgetChannel(IMessageChannel inner, WebSocket socket, BadFrameBudget budget, TimeSpan closeTimeout, TimeProvider time) : IMessageChannel
{
    public ValueTask SendAsync(ChannelMessage message, CancellationToken cancellationToken) => inner.SendAsync(message, cancellationToken);

    public async ValueTask<ChannelMessage?> ReceiveAsync(CancellationToken cancellationToken)
    {
        if (!budget.IsExceeded)
        {
            var message = await inner.ReceiveAsync(cancellationToken);
            // Exceeded meanwhile (an anonymous edit runs outside the loop): this frame is not handled either.
            if (message is null || !budget.IsExceeded)
            {
                return message;
            }
        }
        using var timeout = new CancellationTokenSource(closeTimeout, time);
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, budget.CloseReason, timeout.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            // The client does not read, or is gone: a cancelled close aborted the socket, which ends the connection too.
        }
        return null;
    }

    public ValueTask CloseAsync(CancellationToken cancellationToken) => inner.CloseAsync(cancellationToken);

    public ValueTask CloseOutputAsync(string? reason, CancellationToken cancellationToken) => inner.CloseOutputAsync(reason, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
