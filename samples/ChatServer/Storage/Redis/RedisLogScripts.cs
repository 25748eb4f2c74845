namespace ChatServer.Storage.Redis;

/// <summary>The Lua scripts of <see cref="RedisMessageLog"/>. Redis runs a script atomically: no other client sees a
/// state between two of its commands, and its writes reach the append-only file together (replayed together or not at
/// all after a crash), so the ledger, the messages and the stream of events never disagree, whichever node wrote them.</summary>
/// <remarks>
/// <para>The ledger hash maps an edit id to JSON: <c>{"k":"a","o":offset,"d":digest}</c> for an accepted edit (its
/// event is the stream entry <c>offset-0</c>), <c>{"k":"r","a":attempt,"d":digest,"c":code,"m":message}</c> for a
/// rejected attempt; <c>d</c> is the SHA-1 of the command's fingerprint (<see cref="EditFingerprint"/>), to refuse the
/// same id used for a different command.</para>
/// <para>A script that fails midway keeps the writes it made before (Redis does not roll scripts back), so each one
/// makes every check, and the one write that can fail (the XADD), before any other write.</para>
/// </remarks>
internal static class RedisLogScripts
{
    // The start of both writes: the command's digest, and the ledger's acceptance of the edit id, if any (KEYS[6] is the
    // ledger, ARGV[1] the edit id, ARGV[2] the fingerprint); an acceptance of a different command ends the script.
    private const string AcceptedBefore = """
        local digest = redis.sha1hex(ARGV[2])
        local accepted = nil
        local recorded = redis.call('HGET', KEYS[6], ARGV[1])
        if recorded then
          local entry = cjson.decode(recorded)
          if entry.k == 'a' then
            if entry.d ~= digest then
              return {'conflict'}
            end
            accepted = entry
          end
        end
        """;

    /// <summary>Appends a message unless its edit was accepted before. KEYS: events, offset, sequence, messages, order,
    /// edits; ARGV: edit id (the message's id), fingerprint, the message's JSON before its sequence's value and after
    /// it (the script puts the sequence between them, so it never parses or re-encodes the text), the channel to
    /// publish on. Returns <c>{'appended'|'existing', offset, message JSON}</c>, or <c>{'conflict'}</c> when the id was
    /// accepted for a different command.</summary>
    public const string Append = AcceptedBefore + """

        if accepted then
          local stored = redis.call('HGET', KEYS[4], ARGV[1])
          if not stored then
            return redis.error_reply('ERR the message of accepted edit ' .. ARGV[1] .. ' is missing')
          end
          return {'existing', accepted.o, stored}
        end
        local sequence = tonumber(redis.call('GET', KEYS[3]) or '0') + 1
        local offset = tonumber(redis.call('GET', KEYS[2]) or '0') + 1
        local body = ARGV[3] .. string.format('%d', sequence) .. ARGV[4]
        redis.call('XADD', KEYS[1], offset .. '-0', 'kind', 'message', 'body', body)
        redis.call('SET', KEYS[2], offset)
        redis.call('SET', KEYS[3], sequence)
        redis.call('HSET', KEYS[4], ARGV[1], body)
        redis.call('ZADD', KEYS[5], sequence, ARGV[1])
        redis.call('HSET', KEYS[6], ARGV[1], cjson.encode({k = 'a', o = tostring(offset), d = digest}))
        redis.call('PUBLISH', ARGV[5], offset)
        return {'appended', tostring(offset), body}
        """;

    /// <summary>Changes a message if it still stands as the caller read it (compare and set), unless the edit was
    /// accepted before. KEYS: events, offset, messages, order, deleted, edits; ARGV: edit id, fingerprint, message id,
    /// the message's JSON as read, its JSON after the change, the event kind (<c>message</c> for an edit,
    /// <c>deleted</c>), the event's body, the channel to publish on. Returns <c>{'applied'|'existing', offset}</c>,
    /// <c>{'changed'}</c> (read it again) or <c>{'conflict'}</c>.</summary>
    public const string Change = AcceptedBefore + """

        if accepted then
          return {'existing', accepted.o}
        end
        if redis.call('HGET', KEYS[3], ARGV[3]) ~= ARGV[4] or redis.call('SISMEMBER', KEYS[5], ARGV[3]) == 1 then
          return {'changed'}
        end
        local offset = tonumber(redis.call('GET', KEYS[2]) or '0') + 1
        redis.call('XADD', KEYS[1], offset .. '-0', 'kind', ARGV[6], 'body', ARGV[7])
        redis.call('SET', KEYS[2], offset)
        redis.call('HSET', KEYS[3], ARGV[3], ARGV[5])
        if ARGV[6] == 'deleted' then
          redis.call('SADD', KEYS[5], ARGV[3])
          redis.call('ZREM', KEYS[4], ARGV[3])
        end
        redis.call('HSET', KEYS[6], ARGV[1], cjson.encode({k = 'a', o = tostring(offset), d = digest}))
        redis.call('PUBLISH', ARGV[8], offset)
        return {'applied', tostring(offset)}
        """;

    /// <summary>Reads a message as it stands. KEYS: messages, deleted; ARGV: message id. Returns <c>{}</c> when there is
    /// none, else <c>{JSON, 1 if deleted else 0}</c>.</summary>
    public const string FindMessage = """
        local stored = redis.call('HGET', KEYS[1], ARGV[1])
        if not stored then
          return {}
        end
        return {stored, redis.call('SISMEMBER', KEYS[2], ARGV[1])}
        """;

    /// <summary>Reads where the log stands and the most recent messages not deleted, in one step. KEYS: offset, order,
    /// messages; ARGV: how many. Returns <c>{offset, JSON…}</c>, oldest first.</summary>
    public const string Snapshot = """
        local ids = redis.call('ZREVRANGE', KEYS[2], 0, tonumber(ARGV[1]) - 1)
        local result = {redis.call('GET', KEYS[1]) or '0'}
        for i = #ids, 1, -1 do
          result[#result + 1] = redis.call('HGET', KEYS[3], ids[i])
        end
        return result
        """;

    /// <summary>Tells how an incoming attempt stands in the ledger. KEYS: edits; ARGV: edit id, attempt, fingerprint.
    /// Returns <c>{'new'}</c> (run it), <c>{'accepted'}</c>, <c>{'rejected', code, message}</c> (this attempt or a
    /// later one was rejected), or <c>{'conflict'}</c> (the recorded outcome was for a different command).</summary>
    public const string Find = """
        local recorded = redis.call('HGET', KEYS[1], ARGV[1])
        if not recorded then
          return {'new'}
        end
        local entry = cjson.decode(recorded)
        local same = entry.d == redis.sha1hex(ARGV[3])
        if entry.k == 'a' then
          return same and {'accepted'} or {'conflict'}
        end
        if tonumber(ARGV[2]) > tonumber(entry.a) then
          return {'new'}
        end
        return same and {'rejected', entry.c, entry.m} or {'conflict'}
        """;

    /// <summary>Records a rejected attempt, unless the edit was accepted (an acceptance is final) or a later attempt was
    /// rejected. KEYS: edits; ARGV: edit id, attempt, fingerprint, code, message. Returns <c>{'recorded'}</c>,
    /// <c>{'accepted'}</c> or <c>{'later'}</c>.</summary>
    public const string RecordRejection = """
        local recorded = redis.call('HGET', KEYS[1], ARGV[1])
        if recorded then
          local entry = cjson.decode(recorded)
          if entry.k == 'a' then
            return {'accepted'}
          end
          if tonumber(entry.a) > tonumber(ARGV[2]) then
            return {'later'}
          end
        end
        redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({k = 'r', a = tostring(ARGV[2]), d = redis.sha1hex(ARGV[3]), c = ARGV[4], m = ARGV[5]}))
        return {'recorded'}
        """;
}
