using ChatServer.Shared.Protocol;

namespace ChatServer.Storage.Redis;

/// <summary>What <see cref="RedisMessageLog.AppendAsync"/> did.</summary>
/// <param name="Message">The stored message: the new one, or the one its edit id stored first.</param>
/// <param name="Appended"><see langword="true"/> if this call stored it; <see langword="false"/> if the edit had been
/// accepted before (by this node or another), whose message is returned unchanged: the first outcome.</param>
public sealed record RedisAppendResult(ChatMessage Message, bool Appended);
