using ChatServer.Shared.Protocol;

namespace ChatServer.Storage.Redis;

/// <summary>Where a room's log stood, and its most recent messages then, read in one step: a node that starts from it
/// and reads the events after <see cref="Offset"/> misses nothing and doubles nothing.</summary>
/// <param name="Offset">The offset of the last event included.</param>
/// <param name="Messages">The most recent messages not deleted, oldest first.</param>
public sealed record RedisSnapshot(long Offset, IReadOnlyList<ChatMessage> Messages);
