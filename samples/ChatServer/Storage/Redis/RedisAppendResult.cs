using ChatServer.Shared.Protocol;

namespace ChatServer.Storage.Redis;

/// <summary>What <see cref="RedisMessageLog.AppendAsync"/> did.</summary>
/// <param name="Message">The stored message: the new one, or the one its edit id stored first (as it stands now: edited
/// since, or with its text erased if deleted).</param>
/// <param name="Appended"><see langword="true"/> if this call stored it; <see langword="false"/> if the edit had been
/// accepted before (by this node or another): the first outcome.</param>
/// <param name="Offset">The offset of the event that stored it, which a node delivers before acknowledging.</param>
public sealed record RedisAppendResult(ChatMessage Message, bool Appended, long Offset);
