namespace ChatServer.Storage.Redis;

/// <summary>A message as <see cref="RedisMessageLog.FindMessageAsync"/> read it, with the exact JSON it was read as: a
/// change is written only if the message still stands as this JSON (compare and set).</summary>
/// <param name="Stored">The message, and whether it is deleted.</param>
/// <param name="Json">Its JSON in Redis when it was read.</param>
public sealed record RedisFoundMessage(StoredMessage Stored, string Json);
