using Reactive.Edits.Remote;

namespace ChatServer.Shared.Protocol;

/// <summary>The chat's wire protocol, the same on both sides: the library's edit envelopes with the chat's three
/// command kinds, plus the chat's own message types.</summary>
public static class ChatWire
{
    /// <summary>Gets the protocol: sends as the default kind (no <c>kind</c> on the wire), edits as
    /// <see cref="ChatProtocol.EditMessageKind"/>, deletions as <see cref="ChatProtocol.DeleteMessageKind"/>.</summary>
    public static EditWireProtocol Protocol { get; } = new EditWireProtocol()
        .WithCommand(ChatJsonContext.Default.SendMessage)
        .WithCommand(ChatProtocol.EditMessageKind, ChatJsonContext.Default.EditMessage)
        .WithCommand(ChatProtocol.DeleteMessageKind, ChatJsonContext.Default.DeleteMessage);
}
