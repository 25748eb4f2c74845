using ChatServer.Chat;
using ChatServer.Shared.Protocol;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ChatServer.Storage;

/// <summary>The messages in the SQLite database: <see cref="Append(IReadOnlyList{NewMessage})"/> returns after the commit, so the ack that follows
/// promises a message that survives a crash. The recent ones are also kept in memory for new connections' history.</summary>
/// <remarks>Not thread-safe on its own beyond the database's lock: <see cref="ChatRoom"/> runs one write at a time, which
/// also keeps sequence numbers in commit order, and reads <see cref="Recent"/> only while no
/// <see cref="AddToRecent"/> or <see cref="UpdateRecent"/> runs (see <see cref="IMessageStore"/>).</remarks>
public sealed class SqliteMessageStore : IMessageStore
{
    private readonly SqliteChatDatabase _database;
    private readonly TimeProvider _time;
    private readonly List<ChatMessage> _recent = [];
    private readonly int _capacity;
    private long _sequence;

    public SqliteMessageStore(SqliteChatDatabase database, TimeProvider time, IOptions<ChatOptions> options)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(options);
        _database = database;
        _time = time;
        _capacity = Math.Max(1, options.Value.HistorySize);
        _recent.AddRange(database.Read(LoadRecent));
        _sequence = database.Read(LastSequence);
    }

    /// <inheritdoc/>
    public IReadOnlyList<ChatMessage> Recent() => [.. _recent];

    /// <inheritdoc/>
    public StoredMessage? Find(Guid id) => _database.Read(connection =>
    {
        using var select = connection.CreateCommand();
        select.CommandText = $"SELECT {Columns}, deleted_at_ticks IS NOT NULL FROM messages WHERE id = $id;";
        select.Parameters.AddWithValue("$id", SqliteEditLedger.Key(id));
        using var reader = select.ExecuteReader();
        return reader.Read() ? new StoredMessage(Read(reader), reader.GetBoolean(8)) : null;
    });

    /// <inheritdoc/>
    /// <remarks>The first change of the text keeps the hash of the text it was sent with, for the ledger. The update, the edit's record in <c>message_edits</c> and the removal of an earlier rejection of the same
    /// edit id are one transaction.</remarks>
    /// <exception cref="StorageUnavailableException">The edit could not be stored durably; nothing changed here.</exception>
    public ChatMessage Edit(Guid editId, EditMessage command, ChatMessage current, bool apply)
    {
        ArgumentNullException.ThrowIfNull(command);
        var edited = EditedMessage.Of(current, editId, command.Text, apply, _time.GetUtcNow());
        _database.Write(connection =>
        {
            using var transaction = connection.BeginTransaction();
            using (var update = connection.CreateCommand())
            {
                update.CommandText = "UPDATE messages SET text = $text, revision = $revision, edited_at_ticks = $editedAt, edit_ids = $editIds, sent_text_sha256 = COALESCE(sent_text_sha256, $hash) WHERE id = $id;";
                update.Parameters.AddWithValue("$hash", EditFingerprint.Hash(current.Text));
                update.Parameters.AddWithValue("$id", SqliteEditLedger.Key(current.Id));
                update.Parameters.AddWithValue("$text", edited.Text);
                update.Parameters.AddWithValue("$revision", edited.Revision);
                update.Parameters.AddWithValue("$editedAt", (object?)edited.EditedAt?.UtcTicks ?? DBNull.Value);
                update.Parameters.AddWithValue("$editIds", string.Join(',', edited.EditIds!));
                update.ExecuteNonQuery();
            }
            RecordEdit(connection, editId, command);
            transaction.Commit();
            return true;
        });
        return edited;
    }

    /// <inheritdoc/>
    /// <remarks>The text is erased (only its SHA-256 stays, so that a late resend of the send that created it is still
    /// recognized); the deletion's record and the removal of an earlier rejection are in the same transaction.</remarks>
    /// <exception cref="StorageUnavailableException">The deletion could not be stored durably; nothing changed here.</exception>
    public StoredMessage Delete(Guid editId, DeleteMessage command, ChatMessage current)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(current);
        _database.Write(connection =>
        {
            using var transaction = connection.BeginTransaction();
            using (var update = connection.CreateCommand())
            {
                update.CommandText = "UPDATE messages SET text = '', sent_text_sha256 = COALESCE(sent_text_sha256, $hash), deleted_at_ticks = $now WHERE id = $id;";
                update.Parameters.AddWithValue("$id", SqliteEditLedger.Key(current.Id));
                update.Parameters.AddWithValue("$hash", EditFingerprint.Hash(current.Text));
                update.Parameters.AddWithValue("$now", _time.GetUtcNow().UtcTicks);
                update.ExecuteNonQuery();
            }
            RecordEdit(connection, editId, command);
            transaction.Commit();
            return true;
        });
        return new StoredMessage(current with { Text = string.Empty }, IsDeleted: true);
    }

    /// <inheritdoc/>
    /// <remarks>After a deletion the history is read again, so that it keeps its length: the message before the window
    /// moves in.</remarks>
    public void UpdateRecent(StoredMessage changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        if (changed.IsDeleted)
        {
            _recent.Clear();
            _recent.AddRange(_database.Read(LoadRecent));
            return;
        }
        var index = _recent.FindIndex(message => message.Id == changed.Message.Id);
        if (index >= 0)
        {
            _recent[index] = changed.Message;
        }
    }

    /// <inheritdoc/>
    /// <remarks>The inserts and the removal of earlier rejections of the same edit ids are one transaction: one flush of
    /// the write-ahead log for the whole group.</remarks>
    /// <exception cref="StorageUnavailableException">The messages could not be stored durably (see <see cref="SqliteChatDatabase.Write{T}"/>); none of them is stored.</exception>
    public IReadOnlyList<ChatMessage> Append(IReadOnlyList<NewMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var now = _time.GetUtcNow();
        var stored = new List<ChatMessage>(messages.Count);
        foreach (var (id, user, text) in messages)
        {
            stored.Add(new ChatMessage(id, user, text, now, _sequence + stored.Count + 1));
        }
        _database.Write(connection =>
        {
            using var transaction = connection.BeginTransaction();
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO messages (sequence, id, user, text, sent_at_ticks) VALUES ($sequence, $id, $user, $text, $sentAt);";
            var sequence = insert.Parameters.Add("$sequence", SqliteType.Integer);
            var insertId = insert.Parameters.Add("$id", SqliteType.Text);
            var user = insert.Parameters.Add("$user", SqliteType.Text);
            var text = insert.Parameters.Add("$text", SqliteType.Text);
            var sentAt = insert.Parameters.Add("$sentAt", SqliteType.Integer);
            // A retry that is accepted supersedes the earlier rejected attempt.
            using var forget = connection.CreateCommand();
            forget.CommandText = "DELETE FROM edit_rejections WHERE id = $id;";
            var forgetId = forget.Parameters.Add("$id", SqliteType.Text);
            foreach (var message in stored)
            {
                sequence.Value = message.Sequence;
                insertId.Value = forgetId.Value = SqliteEditLedger.Key(message.Id);
                user.Value = message.User;
                text.Value = message.Text;
                sentAt.Value = message.SentAt.UtcTicks;
                insert.ExecuteNonQuery();
                forget.ExecuteNonQuery();
            }
            transaction.Commit();
            return true;
        });
        _sequence += stored.Count;
        return stored;
    }

    /// <inheritdoc/>
    public void AddToRecent(IReadOnlyList<ChatMessage> stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        _recent.AddRange(stored);
        if (_recent.Count > _capacity)
        {
            _recent.RemoveRange(0, _recent.Count - _capacity);
        }
    }

    private const string Columns = "sequence, id, user, text, sent_at_ticks, revision, edited_at_ticks, edit_ids";

    // The accepted edit or deletion, for the ledger (SqliteEditLedger), in the transaction of its effect.
    private void RecordEdit(SqliteConnection connection, Guid editId, ChatCommand command)
    {
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = "INSERT INTO message_edits (id, message_id, fingerprint, applied_at_ticks) VALUES ($id, $messageId, $fingerprint, $now);";
            insert.Parameters.AddWithValue("$id", SqliteEditLedger.Key(editId));
            insert.Parameters.AddWithValue("$messageId", SqliteEditLedger.Key(command is EditMessage edit ? edit.MessageId : ((DeleteMessage)command).MessageId));
            insert.Parameters.AddWithValue("$fingerprint", EditFingerprint.Of(command));
            insert.Parameters.AddWithValue("$now", _time.GetUtcNow().UtcTicks);
            insert.ExecuteNonQuery();
        }
        using var forget = connection.CreateCommand();
        forget.CommandText = "DELETE FROM edit_rejections WHERE id = $id;";
        forget.Parameters.AddWithValue("$id", SqliteEditLedger.Key(editId));
        forget.ExecuteNonQuery();
    }

    private static ChatMessage Read(SqliteDataReader reader)
    {
        var editIds = reader.GetString(7);
        return new ChatMessage(
            Guid.Parse(reader.GetString(1)),
            reader.GetString(2),
            reader.GetString(3),
            new DateTimeOffset(reader.GetInt64(4), TimeSpan.Zero),
            reader.GetInt64(0),
            reader.GetInt64(5),
            reader.IsDBNull(6) ? null : new DateTimeOffset(reader.GetInt64(6), TimeSpan.Zero),
            editIds.Length == 0 ? null : [.. editIds.Split(',').Select(Guid.Parse)]);
    }

    private static long LastSequence(SqliteConnection connection)
    {
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT COALESCE(MAX(sequence), 0) FROM messages;";
        return (long)select.ExecuteScalar()!;
    }

    private List<ChatMessage> LoadRecent(SqliteConnection connection)
    {
        using var select = connection.CreateCommand();
        select.CommandText = $"SELECT {Columns} FROM (SELECT * FROM messages WHERE deleted_at_ticks IS NULL ORDER BY sequence DESC LIMIT $limit) ORDER BY sequence;";
        select.Parameters.AddWithValue("$limit", _capacity);
        using var reader = select.ExecuteReader();
        var messages = new List<ChatMessage>();
        while (reader.Read())
        {
            messages.Add(Read(reader));
        }
        return messages;
    }
}
