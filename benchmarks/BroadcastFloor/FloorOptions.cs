namespace BroadcastFloor;

/// <summary>The floor's settings.</summary>
public sealed class FloorOptions
{
    /// <summary>Gets or sets a value indicating whether a socket's send loop writes every frame waiting in its outbox
    /// and then flushes once (one system call for the group) instead of flushing each frame.</summary>
    /// <value>False: each frame is its own write and flush, as ASP.NET Core's WebSocket does by default.</value>
    public bool CoalesceWrites { get; set; }

    /// <summary>Gets or sets the least time between the beginnings of two broadcasts, as the chat's
    /// <c>Chat:SendBatchWindow</c>: frames that arrive sooner wait and go together, in one <c>{"batch":[…]}</c> frame
    /// to every socket, then each sender's ack. A frame that finds no broadcast begun within it goes at once.</summary>
    /// <value>Zero: every frame is broadcast alone, at once.</value>
    public TimeSpan BatchWindow { get; set; }

    /// <summary>Gets or sets a value indicating whether Kestrel's socket transport writes on the thread that flushed and
    /// reads on the thread that received, as the chat's <c>Chat:InlineSocketScheduling</c>.</summary>
    /// <value>False: Kestrel's default, which hands each to one of its I/O queues.</value>
    public bool InlineSocketScheduling { get; set; }
}
