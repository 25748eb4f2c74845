namespace Reactive.Edits.Remote;

/// <summary>Names what a decoded <see cref="WireMessage"/> is.</summary>
public enum WireMessageKind
{
    /// <summary>An edit envelope of a registered command kind, <c>{"type":"edit","id":…,"attempt":…,"kind":…,"command":…}</c>: see <see cref="WireMessage.Request"/> and <see cref="WireMessage.CommandKind"/>.</summary>
    Edit = 0,

    /// <summary>An acknowledgement, <c>{"type":"ack","id":…,"attempt":…}</c>: see <see cref="WireMessage.Reply"/>.</summary>
    Ack = 1,

    /// <summary>A rejection, <c>{"type":"reject","id":…,"attempt":…,"code":…,"message":…}</c>: see <see cref="WireMessage.Reply"/>.</summary>
    Reject = 2,

    /// <summary>An application message of another type, <c>{"type":…,"payload":…}</c>: see <see cref="WireMessage.Type"/> and <see cref="WireMessage.Payload"/>.</summary>
    Message = 3,

    /// <summary>Input that is not a valid message: see <see cref="WireMessage.Error"/>.</summary>
    Malformed = 4,

    /// <summary>A well-formed edit whose <c>kind</c> the protocol does not know: <see cref="WireMessage.Request"/> has its id and attempt (the command as JSON) and <see cref="WireMessage.CommandKind"/> the kind, so a server can reject it by id.</summary>
    UnknownCommand = 5,
}
