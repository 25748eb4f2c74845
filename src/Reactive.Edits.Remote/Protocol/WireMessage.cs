using System.Text.Json;

namespace Reactive.Edits.Remote;

/// <summary>Represents one decoded message of the default wire protocol: an edit, an answer, an application message, or malformed input.</summary>
/// <typeparam name="TCommand">The type of the edits' commands.</typeparam>
/// <remarks>Made by <see cref="EditWireProtocol{TCommand}.Decode(ChannelMessage)"/>; the properties that do not apply to the <see cref="Kind"/> are empty.</remarks>
public sealed class WireMessage<TCommand>
{
    private WireMessage(WireMessageKind kind, EditRequest<TCommand> request, EditReply reply, string type, JsonElement payload, string? error)
    {
        Kind = kind;
        Request = request;
        Reply = reply;
        Type = type;
        Payload = payload;
        Error = error;
    }

    /// <summary>Gets what the message is.</summary>
    public WireMessageKind Kind { get; }

    /// <summary>Gets the edit envelope, for <see cref="WireMessageKind.Edit"/>.</summary>
    public EditRequest<TCommand> Request { get; }

    /// <summary>Gets the answer, for <see cref="WireMessageKind.Ack"/> and <see cref="WireMessageKind.Reject"/>.</summary>
    public EditReply Reply { get; }

    /// <summary>Gets the value of the message's <c>type</c> property; empty for <see cref="WireMessageKind.Malformed"/>.</summary>
    public string Type { get; }

    /// <summary>Gets the <c>payload</c> property of an application message (<see cref="WireMessageKind.Message"/>), detached from the input; <see cref="JsonValueKind.Undefined"/> when absent.</summary>
    public JsonElement Payload { get; }

    /// <summary>Gets why the input is not a valid message, for <see cref="WireMessageKind.Malformed"/>.</summary>
    public string? Error { get; }

    /// <summary>Returns the kind and type, for diagnostics.</summary>
    /// <returns>A text such as <c>Message presence</c> or <c>Malformed: …</c>.</returns>
    public override string ToString() => Kind == WireMessageKind.Malformed ? $"Malformed: {Error}" : $"{Kind} {Type}";

    internal static WireMessage<TCommand> ForEdit(EditRequest<TCommand> request) =>
        new(WireMessageKind.Edit, request, default, EditWireProtocol<TCommand>.EditType, default, null);

    internal static WireMessage<TCommand> ForReply(EditReply reply) =>
        reply.Outcome.IsAccepted
            ? new(WireMessageKind.Ack, default, reply, EditWireProtocol<TCommand>.AckType, default, null)
            : new(WireMessageKind.Reject, default, reply, EditWireProtocol<TCommand>.RejectType, default, null);

    internal static WireMessage<TCommand> ForMessage(string type, JsonElement payload) =>
        new(WireMessageKind.Message, default, default, type, payload, null);

    internal static WireMessage<TCommand> ForMalformed(string error) =>
        new(WireMessageKind.Malformed, default, default, string.Empty, default, error);
}
