namespace ChatServer.Storage.Redis;

/// <summary>The Lua scripts of <see cref="RedisMessageLog"/>. Redis runs a script atomically: no other client sees a
/// state between two of its commands, and its writes reach the append-only file together (replayed together or not at
/// all after a crash), so the ledger and the stream never disagree, whichever node wrote them.</summary>
/// <remarks>
/// <para>The ledger hash maps an edit id to JSON: <c>{"k":"a","s":sequence,"d":digest}</c> for an accepted edit (its
/// message is the stream entry <c>sequence-0</c>), <c>{"k":"r","a":attempt,"d":digest,"c":code,"m":message}</c> for
/// a rejected attempt; <c>d</c> is the SHA-1 of the command's text, to refuse the same id with a different text.</para>
/// <para>A script that fails midway keeps the writes it made before (Redis does not roll scripts back), so each one
/// makes every check, and the one write that can fail (the XADD), before any other write.</para>
/// </remarks>
internal static class RedisLogScripts
{
    /// <summary>Appends a message unless its edit was accepted before. KEYS: stream, sequence, edits; ARGV: edit id,
    /// user, text, sent-at ticks, the channel to publish the new sequence on. Returns <c>{'appended'|'existing', sequence, id, user, text,
    /// ticks}</c>, or <c>{'conflict'}</c> when the id was accepted with a different text.</summary>
    public const string Append = """
        local digest = redis.sha1hex(ARGV[3])
        local recorded = redis.call('HGET', KEYS[3], ARGV[1])
        if recorded then
          local entry = cjson.decode(recorded)
          if entry.k == 'a' then
            if entry.d ~= digest then
              return {'conflict'}
            end
            local found = redis.call('XRANGE', KEYS[1], entry.s .. '-0', entry.s .. '-0')
            if #found == 0 then
              return redis.error_reply('ERR the message of accepted edit ' .. ARGV[1] .. ' is missing from the stream')
            end
            local fields = {}
            for i = 1, #found[1][2], 2 do
              fields[found[1][2][i]] = found[1][2][i + 1]
            end
            return {'existing', entry.s, fields.id, fields.user, fields.text, fields.sentAt}
          end
        end
        local sequence = tonumber(redis.call('GET', KEYS[2]) or '0') + 1
        redis.call('XADD', KEYS[1], sequence .. '-0', 'id', ARGV[1], 'user', ARGV[2], 'text', ARGV[3], 'sentAt', ARGV[4])
        redis.call('INCR', KEYS[2])
        redis.call('HSET', KEYS[3], ARGV[1], cjson.encode({k = 'a', s = tostring(sequence), d = digest}))
        redis.call('PUBLISH', ARGV[5], sequence)
        return {'appended', tostring(sequence), ARGV[1], ARGV[2], ARGV[3], ARGV[4]}
        """;

    /// <summary>Tells how an incoming attempt stands in the ledger. KEYS: edits; ARGV: edit id, attempt, text. Returns
    /// <c>{'new'}</c> (run it), <c>{'accepted'}</c>, <c>{'rejected', code, message}</c> (this attempt or a later one was
    /// rejected), or <c>{'conflict'}</c> (the recorded outcome was for a different text).</summary>
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
    /// rejected. KEYS: edits; ARGV: edit id, attempt, text, code, message. Returns <c>{'recorded'}</c>,
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
