namespace Reactive.Edits.Remote;

/// <summary>Connects the sans-I/O remote edit cores to an <see cref="IMessageChannel"/> with the default wire protocol: one call per connection.</summary>
/// <remarks>
/// <para>Each call runs one connection to its end, as a receive loop and a send loop, and returns when the channel
/// ends (the peer closed it, it failed, or the token fired); it then closes and disposes the channel. A failing
/// transport is a normal disconnect, not an error: the client's <c>RunAsync</c> returns the exception that ended it
/// (or <see langword="null"/>) so that the application can log it and reconnect.</para>
/// <para>Application messages (any <c>type</c> other than <c>edit</c>, <c>ack</c>, <c>reject</c>) and malformed input go to
/// the <c>onMessage</c> callback, on the receive loop, one at a time; an exception it throws ends the connection and
/// propagates from <c>RunAsync</c>. To send application messages, a client calls <see cref="IMessageChannel.SendAsync"/>
/// directly (sends may run concurrently); a server posts them to <see cref="RemoteEditConnection.TryPost(ChannelMessage)"/>
/// so that they keep their order relative to the answers.</para>
/// <example>
/// <code>
/// // client: one connection (RemoteEditClientConnection reconnects with backoff and carries several clients)
/// var ended = await client.RunAsync(new WebSocketMessageChannel(socket), protocol, OnMessageAsync, ct);
///
/// // server: per accepted WebSocket
/// var connection = new RemoteEditConnection(id, httpContext.User);
/// connections.Add(connection);   // so that broadcasts reach it
/// await server.RunAsync(connection, new WebSocketMessageChannel(socket), protocol, null, ct);
/// connections.Remove(connection);
/// </code>
/// </example>
/// </remarks>
public static class RemoteEditChannelExtensions
{
    /// <summary>Runs one client connection: sends the client's envelopes and feeds the server's answers back, until the channel ends.</summary>
    /// <typeparam name="TCommand">The type of the edits' commands; the protocol must carry it.</typeparam>
    /// <param name="client">The client core.</param>
    /// <param name="channel">A connected channel; disposed when the call returns.</param>
    /// <param name="protocol">The wire protocol.</param>
    /// <param name="onMessage">Receives application messages and malformed input; <see langword="null"/> to ignore them.</param>
    /// <param name="cancellationToken">Ends the connection.</param>
    /// <returns>The exception that ended the connection (a transport failure), or <see langword="null"/> when it was closed or cancelled.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/>, <paramref name="channel"/> or <paramref name="protocol"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="protocol"/> has no command kind for <typeparamref name="TCommand"/>.</exception>
    /// <remarks>
    /// <list type="table">
    /// <listheader><term>step</term><description>what happens</description></listheader>
    /// <item><term>start</term><description><see cref="RemoteEditClient{TCommand}.OnConnected"/>: queued and unknown edits are sent</description></item>
    /// <item><term>ack or reject received</term><description><see cref="RemoteEditClient{TCommand}.OnReply(EditReply)"/></description></item>
    /// <item><term>other message, or malformed input</term><description><paramref name="onMessage"/></description></item>
    /// <item><term>end (close, failure, cancellation)</term><description><see cref="RemoteEditClient{TCommand}.OnDisconnected"/>: sent edits become unknown, to be resent on the next connection</description></item>
    /// </list>
    /// <para>To reconnect with backoff, or to carry the clients of several command types on one connection, use <see cref="RemoteEditClientConnection"/>.</para>
    /// </remarks>
    public static Task<Exception?> RunAsync<TCommand>(
        this RemoteEditClient<TCommand> client,
        IMessageChannel channel,
        EditWireProtocol protocol,
        Func<WireMessage, CancellationToken, ValueTask>? onMessage,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(protocol);
        return ClientChannelDriver.RunAsync([ClientBinding.For(client, protocol)], channel, protocol, onMessage, cancellationToken);
    }

    /// <summary>Runs one server connection: executes incoming edits and sends the connection's outbox (answers included, in order), until the channel ends.</summary>
    /// <param name="server">The server core.</param>
    /// <param name="connection">The connection; closed when the call returns.</param>
    /// <param name="channel">A connected channel; disposed when the call returns.</param>
    /// <param name="protocol">The wire protocol.</param>
    /// <param name="onMessage">Receives application messages and malformed input; <see langword="null"/> to ignore them.</param>
    /// <param name="cancellationToken">Ends the connection (e.g. the host is stopping).</param>
    /// <returns>A task that completes when the connection has ended.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="server"/>, <paramref name="connection"/>, <paramref name="channel"/> or <paramref name="protocol"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// <list type="table">
    /// <listheader><term>step</term><description>what happens</description></listheader>
    /// <item><term>edit received</term><description>waits for a slot of <see cref="RemoteEditServerOptions.MaxConcurrentEditsPerConnection"/> (so edits start in arrival order; with 1 they also finish in order), then <see cref="RemoteEditServer.ExecuteAsync"/> runs the handler of its command type; its reply is posted to the connection's outbox after the run completed</description></item>
    /// <item><term>edit of an unknown command kind</term><description>a <c>reject</c> with <see cref="RemoteErrorCodes.UnknownCommand"/>, in its turn; nothing runs</description></item>
    /// <item><term>other message, malformed input, or an <c>ack</c>/<c>reject</c> (which a client does not send)</term><description><paramref name="onMessage"/></description></item>
    /// <item><term>outbox overflow (the connection's, or the transport's <see cref="MessageChannelOverflowException"/>) or send failure</term><description>the connection ends; on overflow <see cref="RemoteEditConnection.Overflowed"/> is set</description></item>
    /// <item><term>end</term><description>the connection is closed, then the channel; runs in progress continue and are recorded in the ledger, their replies are dropped</description></item>
    /// </list>
    /// </remarks>
    public static Task RunAsync(
        this RemoteEditServer server,
        RemoteEditConnection connection,
        IMessageChannel channel,
        EditWireProtocol protocol,
        Func<RemoteEditConnection, WireMessage, CancellationToken, ValueTask>? onMessage,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(protocol);
        return ServerChannelDriver.RunAsync(server, connection, channel, protocol, onMessage, cancellationToken);
    }
}
