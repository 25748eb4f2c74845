namespace ChatServer.Shared.Protocol;

/// <summary>The command of a deletion of one's own message (kind <see cref="ChatProtocol.DeleteMessageKind"/>).</summary>
/// <param name="MessageId">The id of the message to delete.</param>
public sealed record DeleteMessage(Guid MessageId) : ChatCommand;
