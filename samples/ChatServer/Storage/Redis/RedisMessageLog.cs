using System.Globalization;
using System.Text.Json;
using ChatServer.Shared.Protocol;
using Reactive.Edits.Remote;
using StackExchange.Redis;

namespace ChatServer.Storage.Redis;

/// <summary>A room's log in Redis, shared by every node: a stream of events (new messages, edits, deletions) in one total
/// order, the messages as they stand, and the room's edit ledger beside them: one effect per edit id, whichever node
/// it reaches.</summary>
/// <remarks>
/// <para>Every write is one script (<see cref="RedisLogScripts"/>): it checks the edit id in the ledger, writes the
/// message, adds the event at the next offset and records the acceptance, atomically. A resend of an accepted edit,
/// to any node, gets the first outcome; the same id used for a different command is refused with
/// <see cref="RemoteErrorCodes.ConflictingCommand"/>. Messages have their own <c>sequence</c> (1, 2, 3, … over all
/// nodes); events their offset. Nothing is trimmed: the log and the ledger are kept as long as Redis keeps them, as the
/// SQLite store keeps its rows.</para>
/// <para>Durability is Redis's: with <c>appendonly yes</c> and <c>appendfsync always</c> a write that returned is on
/// disk (docs/scale-out.md). While Redis is away every member throws <see cref="StorageUnavailableException"/>.</para>
/// <para>Thread safety: every member may be called from any thread, on any number of nodes at once.</para>
/// </remarks>
/// <param name="redis">The connection, made with <see cref="RedisConnectionSettings.Parse"/>.</param>
/// <param name="keys">The room's keys.</param>
/// <param name="time">The clock that stamps new messages.</param>
public sealed class RedisMessageLog(IConnectionMultiplexer redis, RedisRoomKeys keys, TimeProvider time)
{
    // The value a new message is serialized with, to find where the script puts its sequence (see AppendAsync).
    private const string SequenceSlot = "\"sequence\":-1";
    private const string MessageKind = "message";
    private const string DeletedKind = "deleted";

    private readonly IDatabase _database = (redis ?? throw new ArgumentNullException(nameof(redis))).GetDatabase();

    /// <summary>Gets the room's keys.</summary>
    public RedisRoomKeys Keys { get; } = keys ?? throw new ArgumentNullException(nameof(keys));

    /// <summary>Gets the connection.</summary>
    public IConnectionMultiplexer Connection => redis;

    /// <summary>Stores a new message, or returns the one its edit id stored first.</summary>
    /// <param name="id">The id of the edit that creates it, which becomes the message's id.</param>
    /// <param name="user">The author, from the connection's identity.</param>
    /// <param name="text">The validated text.</param>
    /// <returns>The stored message, whether this call stored it, and its event's offset.</returns>
    /// <exception cref="RemoteEditRejectedException">The id was accepted before for a different command
    /// (<see cref="RemoteErrorCodes.ConflictingCommand"/>); nothing was stored.</exception>
    /// <exception cref="StorageUnavailableException">Redis is unavailable. If the script had already been sent, it may
    /// have run: a resend with the same id then gets the stored message instead of a second one.</exception>
    public async Task<RedisAppendResult> AppendAsync(Guid id, string user, string text)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(text);
        // The script puts the sequence between the two halves: it never parses the text, and every node reads the
        // message back exactly as this node serialized it. A text's quotes are escaped, so the slot is the property's.
        var json = JsonSerializer.Serialize(new ChatMessage(id, user, text, time.GetUtcNow(), Sequence: -1), ChatJsonContext.Default.ChatMessage);
        var slot = json.LastIndexOf(SequenceSlot, StringComparison.Ordinal);
        var before = json[..(slot + SequenceSlot.Length - 2)];
        var after = json[(slot + SequenceSlot.Length)..];
        var result = await RedisFailures.UnlessUnavailableAsync(
            () => _database.ScriptEvaluateAsync(
                RedisLogScripts.Append,
                [Keys.Events, Keys.Offset, Keys.Sequence, Keys.Messages, Keys.Order, Keys.Edits],
                [Key(id), EditFingerprint.Of(new SendMessage(text)), before, after, Keys.AppendedChannel]),
            "appending a message");
        var values = (RedisValue[])result!;
        return (string?)values[0] switch
        {
            "appended" => new RedisAppendResult(ReadMessage(values[2]), Appended: true, (long)values[1]),
            "existing" => new RedisAppendResult(ReadMessage(values[2]), Appended: false, (long)values[1]),
            "conflict" => throw new RemoteEditRejectedException(RedisEditStanding.Conflict.Error!),
            var other => throw new InvalidOperationException($"The append script answered '{other}'."),
        };
    }

    /// <summary>Reads a message as it stands, deleted or not.</summary>
    /// <param name="id">The message id.</param>
    /// <returns>The message with the JSON it was read as, or <see langword="null"/> when the room has no such message.</returns>
    /// <exception cref="StorageUnavailableException">Redis is unavailable.</exception>
    public async Task<RedisFoundMessage?> FindMessageAsync(Guid id)
    {
        var result = await RedisFailures.UnlessUnavailableAsync(
            () => _database.ScriptEvaluateAsync(RedisLogScripts.FindMessage, [Keys.Messages, Keys.Deleted], [Key(id)]),
            "reading a message");
        var values = (RedisValue[])result!;
        if (values.Length == 0)
        {
            return null;
        }
        var json = (string)values[0]!;
        return new RedisFoundMessage(new StoredMessage(ReadMessage(json), IsDeleted: (long)values[1] == 1), json);
    }

    /// <summary>Writes an edit or a deletion of a message, if it still stands as <paramref name="found"/> was read.</summary>
    /// <param name="editId">The edit's id, recorded in the ledger with the change.</param>
    /// <param name="command">The command, whose fingerprint the ledger keeps.</param>
    /// <param name="found">The message as read, not deleted.</param>
    /// <param name="after">The message after the change (for a deletion: with its text erased).</param>
    /// <param name="deletion">The deletion's event, or <see langword="null"/> for an edit (whose event is the message
    /// after it).</param>
    /// <returns>What was done, and the offset of the change's event.</returns>
    /// <exception cref="RemoteEditRejectedException">The id was accepted before for a different command.</exception>
    /// <exception cref="StorageUnavailableException">Redis is unavailable; the change may have been written, and a
    /// resend then gets <see cref="RedisChangeOutcome.Existing"/>.</exception>
    public async Task<RedisChangeResult> ChangeAsync(Guid editId, ChatCommand command, RedisFoundMessage found, ChatMessage after, MessageDeleted? deletion)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(found);
        ArgumentNullException.ThrowIfNull(after);
        var afterJson = JsonSerializer.Serialize(after, ChatJsonContext.Default.ChatMessage);
        var (kind, body) = deletion is null
            ? (MessageKind, afterJson)
            : (DeletedKind, JsonSerializer.Serialize(deletion, ChatJsonContext.Default.MessageDeleted));
        var result = await RedisFailures.UnlessUnavailableAsync(
            () => _database.ScriptEvaluateAsync(
                RedisLogScripts.Change,
                [Keys.Events, Keys.Offset, Keys.Messages, Keys.Order, Keys.Deleted, Keys.Edits],
                [Key(editId), EditFingerprint.Of(command), Key(found.Stored.Message.Id), found.Json, afterJson, kind, body, Keys.AppendedChannel]),
            deletion is null ? "editing a message" : "deleting a message");
        var values = (RedisValue[])result!;
        return (string?)values[0] switch
        {
            "applied" => new RedisChangeResult(RedisChangeOutcome.Applied, (long)values[1]),
            "existing" => new RedisChangeResult(RedisChangeOutcome.Existing, (long)values[1]),
            "changed" => new RedisChangeResult(RedisChangeOutcome.Changed, 0),
            "conflict" => throw new RemoteEditRejectedException(RedisEditStanding.Conflict.Error!),
            var other => throw new InvalidOperationException($"The change script answered '{other}'."),
        };
    }

    /// <summary>Reads where the log stands and its most recent messages not deleted, in one step.</summary>
    /// <param name="count">How many messages at most.</param>
    /// <returns>The offset of the last event, and the messages, oldest first.</returns>
    /// <exception cref="StorageUnavailableException">Redis is unavailable.</exception>
    public async Task<RedisSnapshot> SnapshotAsync(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var result = await RedisFailures.UnlessUnavailableAsync(
            () => _database.ScriptEvaluateAsync(RedisLogScripts.Snapshot, [Keys.Offset, Keys.Order, Keys.Messages], [count]),
            "reading the recent messages");
        var values = (RedisValue[])result!;
        var messages = new ChatMessage[values.Length - 1];
        for (var i = 1; i < values.Length; i++)
        {
            messages[i - 1] = ReadMessage(values[i]);
        }
        return new RedisSnapshot((long)values[0], messages);
    }

    /// <summary>Gets the most recent messages not deleted, oldest first.</summary>
    /// <param name="count">How many at most.</param>
    /// <returns>The messages.</returns>
    /// <exception cref="StorageUnavailableException">Redis is unavailable.</exception>
    public async Task<IReadOnlyList<ChatMessage>> RecentAsync(int count) => (await SnapshotAsync(count)).Messages;

    /// <summary>Gets the events after an offset, in order.</summary>
    /// <param name="offset">The offset of the last event already had (0 for none).</param>
    /// <param name="count">How many at most.</param>
    /// <returns>The next events, oldest first; empty when there are none yet.</returns>
    /// <exception cref="StorageUnavailableException">Redis is unavailable.</exception>
    public async Task<IReadOnlyList<RedisLogEvent>> ReadAfterAsync(long offset, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var entries = await RedisFailures.UnlessUnavailableAsync(
            () => _database.StreamReadAsync(Keys.Events, EntryId(offset), count),
            "reading new events");
        var events = new RedisLogEvent[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            events[i] = ReadEvent(entries[i]);
        }
        return events;
    }

    /// <summary>Tells how an incoming attempt of an edit stands in the ledger.</summary>
    /// <param name="id">The edit id.</param>
    /// <param name="attempt">The attempt, at least 1.</param>
    /// <param name="fingerprint">The command's fingerprint (<see cref="EditFingerprint.Of"/>), compared with the one
    /// recorded for the id.</param>
    /// <returns>The outcome to answer with, or <see cref="RedisEditStanding.New"/> when the attempt must run.</returns>
    /// <exception cref="StorageUnavailableException">Redis is unavailable.</exception>
    public async Task<RedisEditStanding> FindEditAsync(Guid id, int attempt, string fingerprint)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        ArgumentNullException.ThrowIfNull(fingerprint);
        var result = await RedisFailures.UnlessUnavailableAsync(
            () => _database.ScriptEvaluateAsync(RedisLogScripts.Find, [Keys.Edits], [Key(id), attempt, fingerprint]),
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
    /// <param name="fingerprint">The attempt's fingerprint.</param>
    /// <param name="error">Why it was rejected.</param>
    /// <returns><see langword="true"/> if recorded; <see langword="false"/> if the edit had been accepted (an acceptance
    /// is final and stays) or a later attempt had been rejected.</returns>
    /// <exception cref="StorageUnavailableException">Redis is unavailable.</exception>
    public async Task<bool> RecordRejectionAsync(Guid id, int attempt, string fingerprint, RemoteError error)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        ArgumentNullException.ThrowIfNull(fingerprint);
        ArgumentNullException.ThrowIfNull(error);
        var result = await RedisFailures.UnlessUnavailableAsync(
            () => _database.ScriptEvaluateAsync(RedisLogScripts.RecordRejection, [Keys.Edits], [Key(id), attempt, fingerprint, error.Code, error.Message]),
            "recording a rejection");
        return (string?)((RedisValue[])result!)[0] == "recorded";
    }

    private static string Key(Guid id) => id.ToString("D");

    // The stream entry of an offset; offsets start at 1, and "0-0" is before every entry.
    private static string EntryId(long offset) => offset.ToString(CultureInfo.InvariantCulture) + "-0";

    private static RedisLogEvent ReadEvent(StreamEntry entry)
    {
        var id = (string?)entry.Id ?? throw new InvalidOperationException("A stream entry has no id.");
        var offset = long.Parse(id.AsSpan(0, id.IndexOf('-', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
        var body = (string?)entry["body"] ?? throw new InvalidOperationException($"The event {id} has no body.");
        return (string?)entry["kind"] switch
        {
            MessageKind => new RedisLogEvent(offset, ReadMessage(body), null),
            DeletedKind => new RedisLogEvent(offset, null, JsonSerializer.Deserialize(body, ChatJsonContext.Default.MessageDeleted)),
            var other => throw new InvalidOperationException($"The event {id} is of an unknown kind '{other}'."),
        };
    }

    private static ChatMessage ReadMessage(RedisValue json) =>
        JsonSerializer.Deserialize((string)json!, ChatJsonContext.Default.ChatMessage)
            ?? throw new InvalidOperationException("A stored message is null.");
}
