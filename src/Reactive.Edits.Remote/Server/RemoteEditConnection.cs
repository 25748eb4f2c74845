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

    private readonly ConnectionOutbox _outbox;
    private readonly CancellationTokenSource _closed = new();
    // Completes when the channel driver must act: with the reason of CloseGracefully, or with LoopEnded when one of its
    // loops ended. One completion source for both, so that the driver waits on one task, not on a WhenAny of three.
    private readonly TaskCompletionSource<string?> _attention = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _outboxCompleted;
    private int _closeFired;
    private SemaphoreSlim? _editSlots;

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
        _outbox = new ConnectionOutbox(outboxCapacity);
    }

    /// <summary>Gets the connection's id.</summary>
    public string Id { get; }

    /// <summary>Gets who is connected, as authenticated by the host; never taken from a client's payload.</summary>
    public ClaimsPrincipal? User { get; }

    /// <summary>Gets the ordered outbox, for the send loop of a transport: read it and send each message in order.</summary>
    /// <remarks>One reader at a time: a <see cref="ChannelReader{T}.WaitToReadAsync(CancellationToken)"/> while another is
    /// pending throws <see cref="InvalidOperationException"/>. After <see cref="Close"/> or a graceful close, what was
    /// queued can still be read, and then the reader sees the end.</remarks>
    public ChannelReader<ChannelMessage> Outgoing => _outbox;

    /// <summary>Gets a token that fires when the connection is closed.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>Gets a value indicating whether the connection was closed because its outbox overflowed, or the transport's (a <see cref="MessageChannelOverflowException"/>).</summary>
    public bool Overflowed { get; private set; }

    /// <summary>Queues a message to the connection, after everything queued before it.</summary>
    /// <param name="message">The message.</param>
    /// <returns><see langword="true"/> if queued; <see langword="false"/> if the connection is closed, or the outbox was full (and the connection is now closed).</returns>
    public bool TryPost(ChannelMessage message)
    {
        if (_outbox.TryWrite(message))
        {
            return true;
        }

        // Refused after a graceful close completed the outbox: not an overflow.
        if (!_closed.IsCancellationRequested && !_outboxCompleted)
        {
            MarkOverflowed();
        }

        return false;
    }

    /// <summary>Asks the connection's driver to end the connection gracefully, e.g. because the server is stopping.</summary>
    /// <param name="reason">Why, for the peer (a WebSocket sends it with the close status 1000); <see langword="null"/> for none.</param>
    /// <remarks>
    /// <para>The channel driver (<see cref="RemoteEditChannelExtensions"/>) then: lets the edits already running finish and
    /// post their answers; refuses later posts (<see cref="TryPost(ChannelMessage)"/> returns <see langword="false"/>) and runs
    /// no edit that arrives from now on (the client resends it on its next connection); sends everything queued; and
    /// closes the channel's output with <see cref="IMessageChannel.CloseOutputAsync(string, CancellationToken)"/>, whose
    /// transport bounds the wait for the peer's close. <see cref="Closed"/> fires when the connection has ended.</para>
    /// <para>Unlike <see cref="Close"/>, which ends the connection at once, nothing already queued is dropped. Only the
    /// first call counts; a call after the connection closed does nothing.</para>
    /// </remarks>
    public void CloseGracefully(string? reason) => _attention.TrySetResult(reason);

    // The per-connection bound of running edits: a slot is taken, in arrival order, before an edit starts, and given back
    // after its reply was posted. Made by the first edit (or a graceful close), as a connection that only reads never
    // needs it; both may ask at once, and get the same one. Not disposed: runs still in progress when the driver's loops
    // end give their slots back later.
    internal SemaphoreSlim EditSlots(int bound) => Volatile.Read(ref _editSlots) ?? MakeEditSlots(bound);

    private SemaphoreSlim MakeEditSlots(int bound)
    {
        var made = new SemaphoreSlim(bound);
        return Interlocked.CompareExchange(ref _editSlots, made, null) ?? made;
    }

    // The mark of a loop's end in Attention: a string of its own, which no reason passed to CloseGracefully can be.
    internal static readonly string LoopEnded = new('\0', 1);

    // The reason of CloseGracefully, or LoopEnded, whichever came first.
    internal Task<string?> Attention => _attention.Task;

    internal bool IsClosingGracefully => _attention.Task.IsCompleted && !ReferenceEquals(_attention.Task.Result, LoopEnded);

    // A loop of the driver ended: the driver ends the connection, unless a graceful close came first.
    internal void OnLoopEnded() => _attention.TrySetResult(LoopEnded);

    // Refuses later posts without closing: the send loop ends once what was queued is sent.
    internal void CompleteOutbox()
    {
        _outboxCompleted = true;
        _outbox.TryComplete();
    }

    // The outbox overflowed, here or in the transport's own bounded outbox: the connection closes.
    internal void MarkOverflowed()
    {
        Overflowed = true;
        Close();
    }

    /// <summary>Closes the connection at once: later posts are refused and <see cref="Closed"/> fires, which ends the channel driver's loops (messages still queued are dropped); to end it without dropping anything, use <see cref="CloseGracefully(string)"/>.</summary>
    public void Close()
    {
        _outbox.TryComplete();
        // Fires once, also after a graceful close completed the outbox already.
        if (Interlocked.Exchange(ref _closeFired, 1) == 0)
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
