using System.Threading.Channels;

namespace Reactive.Edits.Remote;

/// <summary>Provides one end of a connected, in-process pair of message channels, for tests and in-process hosting.</summary>
/// <remarks>
/// <para>Messages are delivered in order, unbounded, and copied on send. <see cref="CloseAsync"/> is graceful: the
/// peer receives what was sent, then the end of the stream. <see cref="Drop"/> is abrupt, like a network failure: both
/// ends lose every undelivered message, and every later or pending receive and send on either end throws an
/// <see cref="IOException"/>.</para>
/// <para>Thread safety: follows <see cref="IMessageChannel"/> (concurrent sends, one receiver at a time).</para>
/// <example>
/// <code>
/// var (client, server) = InMemoryMessageChannel.CreatePair();
/// await client.SendAsync(ChannelMessage.Text("hi"), ct);
/// var received = await server.ReceiveAsync(ct);   // "hi"
/// client.Drop();                                  // both ends now fail as if the network died
/// </code>
/// </example>
/// </remarks>
public sealed class InMemoryMessageChannel : IMessageChannel
{
    private readonly Link _link;
    private readonly Channel<ChannelMessage> _inbound;
    private readonly Channel<ChannelMessage> _outbound;

    private InMemoryMessageChannel(Link link, Channel<ChannelMessage> inbound, Channel<ChannelMessage> outbound)
    {
        _link = link;
        _inbound = inbound;
        _outbound = outbound;
    }

    /// <summary>Gets a value indicating whether the connection has been dropped with <see cref="Drop"/>.</summary>
    public bool IsDropped => _link.IsDropped;

    /// <summary>Creates a connected pair: what one end sends, the other receives.</summary>
    /// <returns>The two ends, conventionally the client's and the server's.</returns>
    public static (InMemoryMessageChannel Client, InMemoryMessageChannel Server) CreatePair()
    {
        var link = new Link();
        var toServer = Channel.CreateUnbounded<ChannelMessage>(new UnboundedChannelOptions { SingleReader = true });
        var toClient = Channel.CreateUnbounded<ChannelMessage>(new UnboundedChannelOptions { SingleReader = true });
        var client = new InMemoryMessageChannel(link, toClient, toServer);
        var server = new InMemoryMessageChannel(link, toServer, toClient);
        link.Ends = [toServer, toClient];
        return (client, server);
    }

    /// <summary>Drops the connection abruptly, for both ends: undelivered messages are lost and every receive and send fails.</summary>
    public void Drop() => _link.Drop();

    /// <inheritdoc/>
    /// <exception cref="IOException">The connection was dropped.</exception>
    /// <exception cref="InvalidOperationException">This end has been closed.</exception>
    public ValueTask SendAsync(ChannelMessage message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_link.IsDropped)
        {
            throw Link.Dropped();
        }

        var copy = new ChannelMessage(message.Type, message.Data.ToArray());
        if (!_outbound.Writer.TryWrite(copy))
        {
            throw _link.IsDropped ? Link.Dropped() : new InvalidOperationException("This end of the channel has been closed.");
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    /// <exception cref="IOException">The connection was dropped.</exception>
    public async ValueTask<ChannelMessage?> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_link.IsDropped)
            {
                throw Link.Dropped();
            }

            if (_inbound.Reader.TryRead(out var message))
            {
                return message;
            }

            if (!await _inbound.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return _link.IsDropped ? throw Link.Dropped() : null;
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        _outbound.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    /// <summary>Closes the sending side, like <see cref="CloseAsync"/>.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync() => CloseAsync(CancellationToken.None);

    private sealed class Link
    {
        private int _dropped;

        public Channel<ChannelMessage>[] Ends { get; set; } = [];

        public bool IsDropped => Volatile.Read(ref _dropped) != 0;

        public static IOException Dropped() => new("The connection was dropped.");

        public void Drop()
        {
            if (Interlocked.Exchange(ref _dropped, 1) != 0)
            {
                return;
            }

            foreach (var end in Ends)
            {
                end.Writer.TryComplete();
                while (end.Reader.TryRead(out _))
                {
                }
            }
        }
    }
}
