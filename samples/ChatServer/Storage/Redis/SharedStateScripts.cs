namespace ChatServer.Storage.Redis;

/// <summary>The Lua scripts of the shared state: each one check is one round trip, run by Redis without interleaving
/// another client's command, on Redis's own clock (<c>TIME</c>) so that the nodes' clocks need not agree.</summary>
internal static class SharedStateScripts
{
    /// <summary>Counts a send in a sliding window. KEYS: the user's set, the address's set (may equal the user's when
    /// no address is counted). ARGV: the window (ms), the user's limit, the address's limit (0: not counted), a unique
    /// member. Returns 0 (counted), 1 (the user is at the limit) or 2 (the address is).</summary>
    public const string CountSend = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local window = tonumber(ARGV[1])
        local addressLimit = tonumber(ARGV[3])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 1 end
        if addressLimit > 0 then
          redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
          if redis.call('ZCARD', KEYS[2]) >= addressLimit then return 2 end
          redis.call('ZADD', KEYS[2], now, ARGV[4])
          redis.call('PEXPIRE', KEYS[2], window)
        end
        redis.call('ZADD', KEYS[1], now, ARGV[4])
        redis.call('PEXPIRE', KEYS[1], window)
        return 0
        """;

    /// <summary>Takes a place among a user's open sockets. KEYS: the user's set. ARGV: the lease's member, the limit, the
    /// lease's lifetime (ms). Returns 1 (taken) or 0 (the user is at the limit). Leases past their end are dropped first:
    /// those of a node that stopped renewing them.</summary>
    public const string AcquireConnection = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return 1
        """;

    /// <summary>Renews leases of open sockets. KEYS: the users' sets. ARGV: the lifetime (ms), then one member per key.
    /// A lease already dropped (expired, or released) is not brought back (<c>XX</c>).</summary>
    public const string RenewConnections = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local ttl = tonumber(ARGV[1])
        for i, key in ipairs(KEYS) do
          redis.call('ZADD', key, 'XX', now + ttl, ARGV[i + 1])
          if redis.call('EXISTS', key) == 1 then redis.call('PEXPIRE', key, ttl) end
        end
        return 1
        """;

    /// <summary>Writes this node's presence and reads every node's. KEYS: the set of nodes, this node's hash. ARGV: the
    /// node's id, its hash's lifetime (ms), the channel to publish on, whether to publish (1/0), then user and count
    /// pairs. Returns, for every other node whose hash is alive, its id, the number of fields and values that follow, and
    /// they; the ids of nodes whose hash expired are removed from the set. (The other nodes' hashes are named from their
    /// ids, not passed as keys: fine on one Redis, and in a Cluster too, since they share the set's hash tag.)</summary>
    public const string SyncPresence = """
        redis.call('DEL', KEYS[2])
        if #ARGV > 4 then
          local fields = {}
          for i = 5, #ARGV do fields[#fields + 1] = ARGV[i] end
          redis.call('HSET', KEYS[2], unpack(fields))
          redis.call('PEXPIRE', KEYS[2], ARGV[2])
        end
        redis.call('SADD', KEYS[1], ARGV[1])
        if ARGV[4] == '1' then redis.call('PUBLISH', ARGV[3], ARGV[1]) end
        local result = {}
        local prefix = string.sub(KEYS[2], 1, #KEYS[2] - #ARGV[1])
        for _, node in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          if node ~= ARGV[1] then
            local entries = redis.call('HGETALL', prefix .. node)
            if #entries == 0 then
              redis.call('SREM', KEYS[1], node)
            else
              result[#result + 1] = node
              result[#result + 1] = #entries
              for _, v in ipairs(entries) do result[#result + 1] = v end
            end
          end
        end
        return result
        """;
}
