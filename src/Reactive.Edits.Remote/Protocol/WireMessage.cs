using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Reactive.Edits.Remote;

/// <summary>Represents one decoded message of the default wire protocol: an edit, an answer, an application message, an edit of an unknown command kind, or malformed input.</summary>
/// <remarks>Made by <see cref="EditWireProtocol.Decode(ChannelMessage)"/>; the properties that do not apply to the <see cref="Kind"/> are empty.</remarks>
public sealed class WireMessage
{
    private WireMessage(WireMessageKind kind, EditRequest<object> request, string? commandKind, EditReply reply, string type, JsonElement payload, string? error)
    {
        Kind = kind;
        Request = request;
        CommandKind = commandKind;
        Reply = reply;
        Type = type;
        Payload = payload;
        Error = error;
    }

    /// <summary>Gets what the message is.</summary>
    public WireMessageKind Kind { get; }

    /// <summary>Gets the edit envelope, for <see cref="WireMessageKind.Edit"/> (the command read into its registered type) and
    /// <see cref="WireMessageKind.UnknownCommand"/> (the command as a <see cref="JsonElement"/>).</summary>
    public EditRequest<object> Request { get; }

    /// <summary>Gets the command kind of an edit, for <see cref="WireMessageKind.Edit"/> and <see cref="WireMessageKind.UnknownCommand"/>: the empty string for the default kind.</summary>
    public string? CommandKind { get; }

    /// <summary>Gets the answer, for <see cref="WireMessageKind.Ack"/> and <see cref="WireMessageKind.Reject"/>.</summary>
    public EditReply Reply { get; }

    /// <summary>Gets the value of the message's <c>type</c> property; empty for <see cref="WireMessageKind.Malformed"/>.</summary>
    public string Type { get; }

    /// <summary>Gets the <c>payload</c> property of an application message (<see cref="WireMessageKind.Message"/>), detached from the input; <see cref="JsonValueKind.Undefined"/> when absent.</summary>
    public JsonElement Payload { get; }

    /// <summary>Gets why the input is not a valid message, for <see cref="WireMessageKind.Malformed"/>.</summary>
    public string? Error { get; }

    /// <summary>Gets the edit envelope with its command typed, if this is an edit of <typeparamref name="TCommand"/>.</summary>
    /// <typeparam name="TCommand">The expected command type.</typeparam>
    /// <param name="request">The typed envelope.</param>
    /// <returns><see langword="true"/> if this is a <see cref="WireMessageKind.Edit"/> whose command is a <typeparamref name="TCommand"/>.</returns>
    public bool TryGetRequest<TCommand>([MaybeNullWhen(false)] out EditRequest<TCommand> request)
    {
        if (Kind == WireMessageKind.Edit && Request.Command is TCommand command)
        {
            request = new EditRequest<TCommand>(Request.Id, Request.Attempt, command);
            return true;
        }

        request = default;
        return false;
    }

    /// <summary>Returns the kind and type, for diagnostics.</summary>
    /// <returns>A text such as <c>Message presence</c>, <c>Edit rename</c> or <c>Malformed: …</c>.</returns>
    public override string ToString() => Kind switch
    {
        WireMessageKind.Malformed => $"Malformed: {Error}",
        WireMessageKind.Edit or WireMessageKind.UnknownCommand when !string.IsNullOrEmpty(CommandKind) => $"{Kind} {CommandKind}",
        _ => $"{Kind} {Type}",
    };

    internal static WireMessage ForEdit(EditRequest<object> request, string commandKind) =>
        new(WireMessageKind.Edit, request, commandKind, default, EditWireProtocol.EditType, default, null);

    internal static WireMessage ForUnknownCommand(EditRequest<object> request, string commandKind) =>
        new(WireMessageKind.UnknownCommand, request, commandKind, default, EditWireProtocol.EditType, default, null);

    internal static WireMessage ForReply(EditReply reply) =>
        reply.Outcome.IsAccepted
            ? new(WireMessageKind.Ack, default, null, reply, EditWireProtocol.AckType, default, null)
            : new(WireMessageKind.Reject, default, null, reply, EditWireProtocol.RejectType, default, null);

    internal static WireMessage ForMessage(string type, JsonElement payload) =>
        new(WireMessageKind.Message, default, null, default, type, payload, null);

    internal static WireMessage ForMalformed(string error) =>
        new(WireMessageKind.Malformed, default, null, default, string.Empty, default, error);
}
