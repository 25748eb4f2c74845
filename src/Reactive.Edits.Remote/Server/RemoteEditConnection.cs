using System.Security.Claims;
using System.Threading.Channels;

namespace Reactive.Edits.Remote;

/// <summary>Represents one client connection on the server: its identity and its one ordered outbox.</summary>
/// <remarks>
/// <para>Everything sent to the connection goes through <see cref="TryPost(ChannelMessage)"/> into one FIFO outbox,
/// which the send loop drains in order (<see cref="Outgoing"/>). The edits' answers go through it too: this is what
/// guarantees that, per connection, the authoritative change containing an edit's effect is sent <em>before</em> the
/// edit's ack, as long as the handler posts (or broadcasts) that change before it returns.</para>
/// <para>The outbox is bounded: a client that does not read fast enough is disconnected rather than allowed to grow
/// the server's memory. When it is full, <see cref="TryPost(ChannelMessage)"/> returns <see langword="false"/> and
/// closes the connection.</para>
/// <para>Thread safety: every member may be called from any thread.</para>
/// </remarks>
public sealed class RemoteEditConnection
{
    /// <summary>The default capacity of the outbox: 1,024 messages.</summary>
    public const int DefaultOutboxCapacity = 1024;

    private readonly Channel<ChannelMessage> _outbox;
    private readonly CancellationTokenSource _closed = new();

    /// <summary>Initializes a connection with an outbox of <see cref="DefaultOutboxCapacity"/> messages.</summary>
    /// <param name="id">An id for logs and for the application's bookkeeping.</param>
    /// <param name="user">Who is connected, as authenticated by the host; <see langword="null"/> for an anonymous connection.</param>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is <see langword="null"/>.</exception>
    public RemoteEditConnection(string id, ClaimsPrincipal? user)
        : this(id, user, DefaultOutboxCapacity)
    {
    }

    /// <summary>Initializes a connection.</summary>
    /// <param name="id">An id for logs and for the application's bookkeeping.</param>
    /// <param name="user">Who is connected, as authenticated by the host; <see langword="null"/> for an anonymous connection.</param>
    /// <param name="outboxCapacity">The most messages waiting to be sent, at least 1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outboxCapacity"/> is less than 1.</exception>
    public RemoteEditConnection(string id, ClaimsPrincipal? user, int outboxCapacity)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentOutOfRangeException.ThrowIfLessThan(outboxCapacity, 1);
        Id = id;
        User = user;
        _outbox = Channel.CreateBounded<ChannelMessage>(new BoundedChannelOptions(outboxCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Gets the connection's id.</summary>
    public string Id { get; }

    /// <summary>Gets who is connected, as authenticated by the host; never taken from a client's payload.</summary>
    public ClaimsPrincipal? User { get; }

    /// <summary>Gets the ordered outbox, for the send loop of a transport: read it and send each message in order.</summary>
    public ChannelReader<ChannelMessage> Outgoing => _outbox.Reader;

    /// <summary>Gets a token that fires when the connection is closed.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>Gets a value indicating whether the connection was closed because its outbox overflowed, or the transport's (a <see cref="MessageChannelOverflowException"/>).</summary>
    public bool Overflowed { get; private set; }

    /// <summary>Queues a message to the connection, after everything queued before it.</summary>
    /// <param name="message">The message.</param>
    /// <returns><see langword="true"/> if queued; <see langword="false"/> if the connection is closed, or the outbox was full (and the connection is now closed).</returns>
    public bool TryPost(ChannelMessage message)
    {
        if (_outbox.Writer.TryWrite(message))
        {
            return true;
        }

        if (!_closed.IsCancellationRequested)
        {
            MarkOverflowed();
        }

        return false;
    }

    // The outbox overflowed, here or in the transport's own bounded outbox: the connection closes.
    internal void MarkOverflowed()
    {
        Overflowed = true;
        Close();
    }

    /// <summary>Closes the connection: later posts are refused, the send loop ends after the messages already queued, and <see cref="Closed"/> fires.</summary>
    public void Close()
    {
        if (_outbox.Writer.TryComplete())
        {
            try
            {
                _closed.Cancel();
            }
            catch (AggregateException)
            {
                // A callback registered on Closed threw; closing must still complete.
            }
        }
    }

    /// <summary>Returns the id, for diagnostics.</summary>
    /// <returns>The id.</returns>
    public override string ToString() => Id;
}
