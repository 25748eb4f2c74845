namespace Reactive.Edits.Remote;

/// <summary>Carries whole messages both ways over one connection: the transport the remote edit drivers run on.</summary>
/// <remarks>
/// <para>Implementations: <see cref="WebSocketMessageChannel"/> (any <see cref="System.Net.WebSockets.WebSocket"/>: Kestrel's
/// server socket, <see cref="System.Net.WebSockets.ClientWebSocket"/> in .NET and in the browser) and
/// <see cref="InMemoryMessageChannel"/> (a connected pair, for tests).</para>
/// <list type="table">
/// <listheader><term>situation</term><description>contract</description></listheader>
/// <item><term>concurrency</term><description><see cref="SendAsync"/> may be called concurrently with itself and with <see cref="ReceiveAsync"/>; at most one <see cref="ReceiveAsync"/> runs at a time</description></item>
/// <item><term>peer closed gracefully</term><description><see cref="ReceiveAsync"/> returns <see langword="null"/> (end of stream)</description></item>
/// <item><term>connection failed or dropped</term><description><see cref="ReceiveAsync"/> and <see cref="SendAsync"/> throw (e.g. <see cref="IOException"/>, <see cref="System.Net.WebSockets.WebSocketException"/>); the drivers treat that as a disconnect</description></item>
/// <item><term>message ownership</term><description>a received message's bytes belong to the caller; a sent message's bytes must not be modified after <see cref="SendAsync"/> is called (a channel with an outbox, such as <see cref="WebSocketMessageChannel"/>, writes them later; the library's encoders never reuse them)</description></item>
/// <item><term>bounded outbox full</term><description><see cref="SendAsync"/> may throw <see cref="MessageChannelOverflowException"/>: the peer reads too slowly and the channel is closing</description></item>
/// </list>
/// </remarks>
public interface IMessageChannel : IAsyncDisposable
{
    /// <summary>Sends one whole message.</summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the message has been handed to the transport (queued in its outbox, or written).</returns>
    ValueTask SendAsync(ChannelMessage message, CancellationToken cancellationToken);

    /// <summary>Receives the next whole message, or the end of the stream.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The message, or <see langword="null"/> when the peer has closed the channel.</returns>
    ValueTask<ChannelMessage?> ReceiveAsync(CancellationToken cancellationToken);

    /// <summary>Closes the sending side gracefully: the peer receives the end of the stream after the messages already sent.</summary>
    /// <param name="cancellationToken">Cancels the close.</param>
    /// <returns>A task that completes when the close has been sent.</returns>
    ValueTask CloseAsync(CancellationToken cancellationToken);

    /// <summary>Starts a graceful close from the sending side while a receive loop goes on reading: the messages already sent go out, then the end of the stream, with <paramref name="reason"/>; the pending or next <see cref="ReceiveAsync"/> returns <see langword="null"/> once the peer has closed its side too.</summary>
    /// <param name="reason">Why, for the peer; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the close.</param>
    /// <returns>A task that completes when the end of the stream has been sent.</returns>
    /// <remarks>Unlike <see cref="CloseAsync"/>, it never reads from the channel itself, so it can run while a receive is
    /// pending or about to start. A transport with a close handshake bounds the wait for the peer's close and then fails
    /// the receive (<see cref="WebSocketMessageChannel"/>: within its <see cref="WebSocketMessageChannel.CloseTimeout"/>).
    /// The default implementation calls <see cref="CloseAsync"/> and drops the reason.</remarks>
    ValueTask CloseOutputAsync(string? reason, CancellationToken cancellationToken) => CloseAsync(cancellationToken);
}
