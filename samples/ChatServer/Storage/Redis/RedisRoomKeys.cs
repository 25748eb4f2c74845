using StackExchange.Redis;

namespace ChatServer.Storage.Redis;

/// <summary>The Redis keys of one room's log: its stream of events, its counters, its messages as they stand, their
/// order, its deleted ids, its edit ledger, and the channel that tells feeds an event was appended.</summary>
/// <remarks>Every key carries the same hash tag (<c>{room}</c>), so that a Redis Cluster keeps them in one slot and the
/// log's scripts, which touch several of them at once, may run there.</remarks>
public sealed class RedisRoomKeys
{
    /// <summary>Initializes the keys of a room.</summary>
    /// <param name="room">The room's name, the keys' common prefix (e.g. <c>chat</c>); no braces, since they delimit the hash tag.</param>
    /// <exception cref="ArgumentException"><paramref name="room"/> is empty or contains a brace.</exception>
    public RedisRoomKeys(string room)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(room);
        if (room.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            throw new ArgumentException($"A room name must not contain braces: '{room}'.", nameof(room));
        }
        Room = room;
        Events = $"{{{room}}}:events";
        Offset = $"{{{room}}}:offset";
        Sequence = $"{{{room}}}:sequence";
        Messages = $"{{{room}}}:messages";
        Order = $"{{{room}}}:order";
        Deleted = $"{{{room}}}:deleted";
        Edits = $"{{{room}}}:edits";
        AppendedChannel = $"{{{room}}}:appended";
        Appended = RedisChannel.Literal(AppendedChannel);
    }

    /// <summary>Gets the room's name.</summary>
    public string Room { get; }

    /// <summary>Gets the stream of events (a new message, an edited one, a deletion); the event at offset <c>n</c> has
    /// the id <c>n-0</c>. Its order is the one order in which every node delivers.</summary>
    public RedisKey Events { get; }

    /// <summary>Gets the counter of the last event offset assigned.</summary>
    public RedisKey Offset { get; }

    /// <summary>Gets the counter of the last message sequence assigned (sequences count messages, offsets count events).</summary>
    public RedisKey Sequence { get; }

    /// <summary>Gets the hash of every message as it stands now, by id: its JSON (<see cref="ChatServer.Shared.Protocol.ChatMessage"/>).</summary>
    public RedisKey Messages { get; }

    /// <summary>Gets the sorted set of the messages not deleted, scored by sequence: the history's order.</summary>
    public RedisKey Order { get; }

    /// <summary>Gets the set of deleted message ids (their text is erased; they stay in <see cref="Messages"/>).</summary>
    public RedisKey Deleted { get; }

    /// <summary>Gets the hash of edit outcomes, by edit id: an acceptance (its event's offset) or a rejection.</summary>
    public RedisKey Edits { get; }

    /// <summary>Gets the channel on which each write publishes its offset, to wake feeds early.</summary>
    public RedisChannel Appended { get; }

    /// <summary>Gets the name of <see cref="Appended"/>, as the scripts publish on it.</summary>
    public string AppendedChannel { get; }
}
