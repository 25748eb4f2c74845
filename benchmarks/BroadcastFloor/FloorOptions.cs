namespace BroadcastFloor;

/// <summary>The floor's one setting.</summary>
public sealed class FloorOptions
{
    /// <summary>Gets or sets a value indicating whether a socket's send loop writes every frame waiting in its outbox
    /// and then flushes once (one system call for the group) instead of flushing each frame.</summary>
    /// <value>False: each frame is its own write and flush, as ASP.NET Core's WebSocket does by default.</value>
    public bool CoalesceWrites { get; set; }
}
