using StackExchange.Redis;

namespace ChatServer.Storage.Redis;

/// <summary>The Redis keys of one room's message log: its stream, its sequence counter, its edit ledger and the channel
/// that tells feeds a message was appended.</summary>
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
        Messages = $"{{{room}}}:messages";
        Sequence = $"{{{room}}}:sequence";
        Edits = $"{{{room}}}:edits";
        AppendedChannel = $"{{{room}}}:appended";
        Appended = RedisChannel.Literal(AppendedChannel);
    }

    /// <summary>Gets the room's name.</summary>
    public string Room { get; }

    /// <summary>Gets the stream of messages; the entry of sequence <c>n</c> has the id <c>n-0</c>.</summary>
    public RedisKey Messages { get; }

    /// <summary>Gets the counter of the last sequence assigned.</summary>
    public RedisKey Sequence { get; }

    /// <summary>Gets the hash of edit outcomes, by edit id: an acceptance (the message's sequence) or a rejection.</summary>
    public RedisKey Edits { get; }

    /// <summary>Gets the channel on which each append publishes its sequence, to wake feeds early.</summary>
    public RedisChannel Appended { get; }

    /// <summary>Gets the name of <see cref="Appended"/>, as the append script publishes on it.</summary>
    public string AppendedChannel { get; }
}
