using ChatServer.Shared.Protocol;

namespace ChatServer.Storage.Redis;

/// <summary>One event of a room's log, as every node delivers it: a message (new or edited) or a deletion.</summary>
/// <param name="Offset">Its place in the log: 1, 2, 3, … over all nodes.</param>
/// <param name="Message">The message as it stands after the event (a new one, or the edited one); <see langword="null"/>
/// for a deletion.</param>
/// <param name="Deleted">The deletion; <see langword="null"/> for a message.</param>
public sealed record RedisLogEvent(long Offset, ChatMessage? Message, MessageDeleted? Deleted);
