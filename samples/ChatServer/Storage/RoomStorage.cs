using ChatServer.Storage.Redis;

namespace ChatServer.Storage;

/// <summary>Where the room keeps its messages, as <c>Chat:Store:Kind</c> chose: a store of this node's own (SQLite or
/// memory), or the log in Redis that every node shares. Exactly one of the two is set.</summary>
/// <param name="Local">This node's store, written and posted to its connections in one step.</param>
/// <param name="Shared">The shared log, written first and delivered to each node's connections by its feed.</param>
public sealed record RoomStorage(IMessageStore? Local, RedisRoomStore? Shared);
