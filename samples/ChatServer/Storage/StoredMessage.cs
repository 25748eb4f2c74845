using ChatServer.Shared.Protocol;

namespace ChatServer.Storage;

/// <summary>A message as the store finds it by id: deleted ones too, so that an edit of a deleted message is told
/// apart from an edit of an id that never existed.</summary>
/// <param name="Message">The message; a deleted one keeps its id, author and order, not its text.</param>
/// <param name="IsDeleted">Whether its author deleted it.</param>
public sealed record StoredMessage(ChatMessage Message, bool IsDeleted);
