namespace Reactive.Edits.Remote;

/// <summary>Names where the current attempt of a remote edit is on its way to the server.</summary>
/// <remarks>
/// <see cref="Queued"/>, <see cref="Sent"/> and <see cref="Unknown"/> are the states of a tracked attempt; the others
/// are terminal and seen on the delivery that leaves <see cref="RemoteEditClient{TCommand}.Deliveries"/>.
/// A UI may show "sending…" for <see cref="Queued"/> and <see cref="Sent"/>, and "not confirmed yet, will resend" for <see cref="Unknown"/>.
/// </remarks>
public enum RemoteDeliveryState
{
    /// <summary>Not sent in this attempt (no connection yet): cancelling now guarantees the attempt has no effect.</summary>
    Queued = 0,

    /// <summary>Sent on the current connection; awaiting the answer.</summary>
    Sent = 1,

    /// <summary>Sent, then the answer timed out or the connection was lost: the outcome is unknown and the edit will be resent with the same id.</summary>
    Unknown = 2,

    /// <summary>The server accepted the edit. Terminal.</summary>
    Acknowledged = 3,

    /// <summary>The server rejected the edit. Terminal.</summary>
    Rejected = 4,

    /// <summary>The client gave up after the bounds of <see cref="RemoteEditOptions"/>; the outcome is unknown. Terminal.</summary>
    GaveUp = 5,

    /// <summary>Tracking stopped without an answer: the attempt was cancelled or superseded, or its token was spent elsewhere. Terminal.</summary>
    Abandoned = 6,
}
