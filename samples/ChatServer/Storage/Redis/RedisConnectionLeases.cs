using ChatServer.Chat;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ChatServer.Storage.Redis;

/// <summary>Counts each user's open sockets over every node: one sorted set per user of leases, one per socket, each
/// scored by the time it ends (<see cref="ChatOptions.NodeTimeout"/> after its last renewal). This node renews its
/// leases every <see cref="ChatOptions.NodeHeartbeat"/>, so the leases of a node that died without a word end within
/// the timeout and stop counting.</summary>
/// <remarks>
/// <para>A take is one script (<see cref="SharedStateScripts.AcquireConnection"/>), one round trip; it is synchronous
/// because <see cref="ConnectionLimiter.TryAcquire"/> is. While Redis is away the take answers at once with a place that
/// counts nowhere, and the node's own count decides: a user may then open up to
/// <see cref="ChatOptions.MaxConnectionsPerUser"/> sockets on each node. A place given back while Redis is away ends
/// by its lease's timeout.</para>
/// <para>Thread safety: every member may be called from any thread.</para>
/// </remarks>
public sealed class RedisConnectionLeases(SharedRedisConnection redis, IOptions<ChatOptions> options, ILogger<RedisConnectionLeases> logger) : ISharedConnectionLimit
{
    private readonly TimeSpan _timeout = options.Value.NodeTimeout;
    private readonly HashSet<Lease> _held = [];
    private readonly RedisOutage _outage = new("connection limit", "each node counts a user's sockets alone until it returns", logger);

    public IDisposable? TryAcquire(string user, int limit)
    {
        ArgumentNullException.ThrowIfNull(user);
        var lease = new Lease(this, SharedStateKeys.UserConnections(user), $"{redis.NodeId}:{Guid.NewGuid():N}");
        try
        {
            var taken = (int)redis.Database.ScriptEvaluate(
                SharedStateScripts.AcquireConnection,
                [lease.Key],
                [lease.Member, limit, (long)_timeout.TotalMilliseconds]);
            _outage.Succeeded();
            if (taken == 0)
            {
                return null;
            }
        }
        catch (Exception ex) when (RedisFailures.IsUnavailable(ex))
        {
            _outage.Failed(ex);
            return Unshared.Instance;
        }
        lock (_held)
        {
            _held.Add(lease);
        }
        return lease;
    }

    /// <summary>Renews this node's leases; a failure is logged once per outage, and the next heartbeat tries again.</summary>
    public async Task RenewAsync()
    {
        Lease[] held;
        lock (_held)
        {
            held = [.. _held];
        }
        if (held.Length == 0)
        {
            return;
        }
        var keys = new RedisKey[held.Length];
        var values = new RedisValue[held.Length + 1];
        values[0] = (long)_timeout.TotalMilliseconds;
        for (var i = 0; i < held.Length; i++)
        {
            keys[i] = held[i].Key;
            values[i + 1] = held[i].Member;
        }
        try
        {
            await redis.Database.ScriptEvaluateAsync(SharedStateScripts.RenewConnections, keys, values);
            _outage.Succeeded();
        }
        catch (Exception ex) when (RedisFailures.IsUnavailable(ex))
        {
            _outage.Failed(ex);
        }
    }

    private void Release(Lease lease)
    {
        lock (_held)
        {
            _held.Remove(lease);
        }
        // Not awaited: a socket's end does not wait for Redis. If it fails, the lease ends by its timeout.
        try
        {
            redis.Database.SortedSetRemove(lease.Key, lease.Member, CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (RedisFailures.IsUnavailable(ex))
        {
            _outage.Failed(ex);
        }
    }

    private sealed class Lease(RedisConnectionLeases owner, RedisKey key, string member) : IDisposable
    {
        private int _disposed;

        public RedisKey Key { get; } = key;

        public string Member { get; } = member;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Release(this);
            }
        }
    }

    // The place given while Redis is away: it counts nowhere, so there is nothing to give back.
    private sealed class Unshared : IDisposable
    {
        public static readonly Unshared Instance = new();

        public void Dispose()
        {
        }
    }
}
