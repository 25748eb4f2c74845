namespace ChatServer.Shared.Protocol;

/// <summary>The command of an edit of one's own message: its new text (kind <see cref="ChatProtocol.EditMessageKind"/>).</summary>
/// <param name="MessageId">The id of the message to edit.</param>
/// <param name="Text">The new text, checked as a sent text is.</param>
/// <param name="BaseRevision">The <see cref="ChatMessage.Revision"/> the author saw when editing. The first edit to
/// reach the server from a revision wins; a later one from the same revision (another tab's) changes nothing and is
/// answered with an ack, and the message it gets shows the winner's text (see docs/protocol.md, conflicts).</param>
public sealed record EditMessage(Guid MessageId, string Text, long BaseRevision) : ChatCommand;
