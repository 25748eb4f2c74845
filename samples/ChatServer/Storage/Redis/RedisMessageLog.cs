using System.Globalization;
using ChatServer.Shared.Protocol;
using Reactive.Edits.Remote;
using StackExchange.Redis;

namespace ChatServer.Storage.Redis;

/// <summary>A room's messages as one Redis Stream shared by every node, with the room's edit ledger beside it: one
/// total order (the sequence, 1, 2, 3, … over all nodes) and one effect per edit id, whichever node a send reaches.</summary>
/// <remarks>
/// <para>An append is one script (<see cref="RedisLogScripts.Append"/>): it checks the edit id in the ledger, assigns
/// the next sequence, adds the stream entry <c>sequence-0</c> and records the acceptance, atomically. A resend of an
/// accepted edit, to any node, gets the message stored first; the same id with a different text is refused with
/// <see cref="RemoteErrorCodes.ConflictingCommand"/>. Nothing is trimmed: the stream and the ledger are kept as long
/// as Redis keeps them, as the SQLite store keeps its rows.</para>
/// <para>Durability is Redis's: with <c>appendonly yes</c> and <c>appendfsync always</c> an append that returned is on
/// disk (docs/scale-out.md). While Redis is away every member throws <see cref="StorageUnavailableException"/>.</para>
/// <para>Thread safety: every member may be called from any thread, on any number of nodes at once.</para>
/// </remarks>
/// <param name="redis">The connection, made with <see cref="RedisConnectionSettings.Parse"/>.</param>
/// <param name="keys">The room's keys.</param>
/// <param name="time">The clock that stamps new messages.</param>
public sealed class RedisMessageLog(IConnectionMultiplexer redis, RedisRoomKeys keys, TimeProvider time)
{
    private readonly IDatabase _database = (redis ?? throw new ArgumentNullException(nameof(redis))).GetDatabase();

    /// <summary>Gets the room's keys.</summary>
    public RedisRoomKeys Keys { get; } = keys ?? throw new ArgumentNullException(nameof(keys));

    /// <summary>Gets the connection.</summary>
    public IConnectionMultiplexer Connection => redis;

    /// <summary>Stores a new message, or returns the one its edit id stored first.</summary>
    /// <param name="id">The id of the edit that creates it.</param>
    /// <param name="user">The author, from the connection's identity.</param>
    /// <param name="text">The validated text.</param>
    /// <returns>The stored message and whether this call stored it.</returns>
    /// <exception cref="RemoteEditRejectedException">The id was accepted before with a different text
    /// (<see cref="RemoteErrorCodes.ConflictingCommand"/>); nothing was stored.</exception>
    /// <exception cref="StorageUnavailableException">Redis is unavailable. If the script had already been sent, it may
    /// have run: a resend with the same id then gets the stored message instead of a second one.</exception>
    public async Task<RedisAppendResult> AppendAsync(Guid id, string user, string text)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(text);
        var result = await RedisFailures.UnlessUnavailableAsync(
            () => _database.ScriptEvaluateAsync(
                RedisLogScripts.Append,
                [Keys.Messages, Keys.Sequence, Keys.Edits],
                [Key(id), user, text, time.GetUtcNow().UtcTicks, Keys.AppendedChannel]),
            "appending a message");
        var values = (RedisValue[])result!;
        return (string?)values[0] switch
        {
            "appended" => new RedisAppendResult(ReadMessage(values.AsSpan(1)), Appended: true),
            "existing" => new RedisAppendResult(ReadMessage(values.AsSpan(1)), Appended: false),
            "conflict" => throw new RemoteEditRejectedException(RedisEditStanding.Conflict.Error!),
            var other => throw new InvalidOperationException($"The append script answered '{other}'."),
        };
    }

    /// <summary>Gets the most recent messages, oldest first.</summary>
    /// <param name="count">How many at most.</param>
    /// <returns>The messages.</returns>
    /// <exception cref="StorageUnavailableException">Redis is unavailable.</exception>
    public async Task<IReadOnlyList<ChatMessage>> RecentAsync(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var entries = await RedisFailures.UnlessUnavailableAsync(
            () => _database.StreamRangeAsync(Keys.Messages, "-", "+", count, Order.Descending),
            "reading the recent messages");
        var messages = new ChatMessage[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            messages[entries.Length - 1 - i] = ReadEntry(entries[i]);
        }
        return messages;
    }

    /// <summary>Gets the messages after a sequence, in order.</summary>
    /// <param name="sequence">The last sequence already had (0 for none).</param>
    /// <param name="count">How many at most.</param>
    /// <returns>The messages with the next sequences, oldest first; empty when there are none yet.</returns>
    /// <exception cref="StorageUnavailableException">Redis is unavailable.</exception>
    public async Task<IReadOnlyList<ChatMessage>> ReadAfterAsync(long sequence, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var entries = await RedisFailures.UnlessUnavailableAsync(
            () => _database.StreamReadAsync(Keys.Messages, EntryId(sequence), count),
            "reading new messages");
        var messages = new ChatMessage[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            messages[i] = ReadEntry(entries[i]);
        }
        return messages;
    }

    /// <summary>Tells how an incoming attempt of an edit stands in the ledger.</summary>
    /// <param name="id">The edit id.</param>
    /// <param name="attempt">The attempt, at least 1.</param>
    /// <param name="text">The command's text, compared with the text recorded for the id.</param>
    /// <returns>The outcome to answer with, or <see cref="RedisEditStanding.New"/> when the attempt must run.</returns>
    /// <exception cref="StorageUnavailableException">Redis is unavailable.</exception>
    public async Task<RedisEditStanding> FindEditAsync(Guid id, int attempt, string text)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        ArgumentNullException.ThrowIfNull(text);
        var result = await RedisFailures.UnlessUnavailableAsync(
            () => _database.ScriptEvaluateAsync(RedisLogScripts.Find, [Keys.Edits], [Key(id), attempt, text]),
            "looking up an edit");
        var values = (RedisValue[])result!;
        return (string?)values[0] switch
        {
            "new" => RedisEditStanding.New,
            "accepted" => new RedisEditStanding(EditOutcome.Accepted),
            "rejected" => new RedisEditStanding(EditOutcome.Rejected(new RemoteError((string)values[1]!, (string)values[2]!))),
            "conflict" => new RedisEditStanding(RedisEditStanding.Conflict),
            var other => throw new InvalidOperationException($"The lookup script answered '{other}'."),
        };
    }

    /// <summary>Records a rejected attempt, so that a resend of it to any node gets the rejection.</summary>
    /// <param name="id">The edit id.</param>
    /// <param name="attempt">The rejected attempt.</param>
    /// <param name="text">The attempt's text.</param>
    /// <param name="error">Why it was rejected.</param>
    /// <returns><see langword="true"/> if recorded; <see langword="false"/> if the edit had been accepted (an acceptance
    /// is final and stays) or a later attempt had been rejected.</returns>
    /// <exception cref="StorageUnavailableException">Redis is unavailable.</exception>
    public async Task<bool> RecordRejectionAsync(Guid id, int attempt, string text, RemoteError error)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(error);
        var result = await RedisFailures.UnlessUnavailableAsync(
            () => _database.ScriptEvaluateAsync(RedisLogScripts.RecordRejection, [Keys.Edits], [Key(id), attempt, text, error.Code, error.Message]),
            "recording a rejection");
        return (string?)((RedisValue[])result!)[0] == "recorded";
    }

    private static string Key(Guid id) => id.ToString("D");

    // The stream entry of a sequence; sequences start at 1, and "0-0" is before every entry.
    private static string EntryId(long sequence) => sequence.ToString(CultureInfo.InvariantCulture) + "-0";

    private static ChatMessage ReadEntry(StreamEntry entry)
    {
        var id = (string?)entry.Id ?? throw new InvalidOperationException("A stream entry has no id.");
        var sequence = long.Parse(id.AsSpan(0, id.IndexOf('-', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
        return new ChatMessage(
            Guid.Parse((string)entry["id"]!),
            (string)entry["user"]!,
            (string)entry["text"]!,
            new DateTimeOffset((long)entry["sentAt"], TimeSpan.Zero),
            sequence);
    }

    // sequence, id, user, text, ticks: as the append script returns them.
    private static ChatMessage ReadMessage(ReadOnlySpan<RedisValue> values) =>
        new(Guid.Parse((string)values[1]!), (string)values[2]!, (string)values[3]!, new DateTimeOffset((long)values[4], TimeSpan.Zero), (long)values[0]);
}
