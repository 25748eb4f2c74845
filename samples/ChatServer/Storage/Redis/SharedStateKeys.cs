using System.Net;
using StackExchange.Redis;

namespace ChatServer.Storage.Redis;

/// <summary>The Redis keys and channels of the state the nodes share besides messages.</summary>
/// <remarks>Every key carries the hash tag <c>{chat}</c>, the room's, so that a Redis Cluster keeps them in one slot
/// and a script may touch several at once. User names are keyed in upper case: "Alice" and "alice" are one user.</remarks>
internal static class SharedStateKeys
{
    /// <summary>The list of Data Protection keys (the cookie's signing and encryption keys).</summary>
    public static readonly RedisKey DataProtectionKeys = "{chat}:data-protection-keys";

    /// <summary>The set of the ids of the nodes that published presence.</summary>
    public static readonly RedisKey PresenceNodes = "{chat}:presence:nodes";

    /// <summary>The name of <see cref="PresenceChanged"/>, as the presence script publishes on it.</summary>
    public const string PresenceChangedName = "{chat}:presence:changed";

    /// <summary>The channel on which a node says that its presence changed (the message is the node's id).</summary>
    public static readonly RedisChannel PresenceChanged = RedisChannel.Literal(PresenceChangedName);

    /// <summary>The channel on which a logout tells every node the id of the session that ended.</summary>
    public static readonly RedisChannel SessionEnded = RedisChannel.Literal("{chat}:sessions:ended");

    /// <summary>The prefix of a node's presence hash (user → open connections), to which the node id is appended.</summary>
    public const string PresenceNodePrefix = "{chat}:presence:node:";

    /// <summary>A node's presence hash.</summary>
    public static RedisKey PresenceNode(string nodeId) => PresenceNodePrefix + nodeId;

    /// <summary>A session's ticket.</summary>
    public static RedisKey Session(string sessionId) => "{chat}:session:" + sessionId;

    /// <summary>The sorted set of a user's recent sends (scored by time, in Redis's milliseconds).</summary>
    public static RedisKey UserSends(string user) => "{chat}:sends:user:" + user.ToUpperInvariant();

    /// <summary>The sorted set of a client address's recent sends.</summary>
    public static RedisKey AddressSends(IPAddress address) => "{chat}:sends:address:" + address;

    /// <summary>The sorted set of a user's open sockets over every node (scored by the time their lease ends).</summary>
    public static RedisKey UserConnections(string user) => "{chat}:connections:" + user.ToUpperInvariant();
}
