namespace Reactive.Edits.Remote;

/// <summary>Names what a decoded <see cref="WireMessage{TCommand}"/> is.</summary>
public enum WireMessageKind
{
    /// <summary>An edit envelope, <c>{"type":"edit","id":…,"attempt":…,"command":…}</c>: see <see cref="WireMessage{TCommand}.Request"/>.</summary>
    Edit = 0,

    /// <summary>An acknowledgement, <c>{"type":"ack","id":…,"attempt":…}</c>: see <see cref="WireMessage{TCommand}.Reply"/>.</summary>
    Ack = 1,

    /// <summary>A rejection, <c>{"type":"reject","id":…,"attempt":…,"code":…,"message":…}</c>: see <see cref="WireMessage{TCommand}.Reply"/>.</summary>
    Reject = 2,

    /// <summary>An application message of another type, <c>{"type":…,"payload":…}</c>: see <see cref="WireMessage{TCommand}.Type"/> and <see cref="WireMessage{TCommand}.Payload"/>.</summary>
    Message = 3,

    /// <summary>Input that is not a valid message: see <see cref="WireMessage{TCommand}.Error"/>.</summary>
    Malformed = 4,
}
