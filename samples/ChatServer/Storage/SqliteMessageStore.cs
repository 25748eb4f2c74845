using ChatServer.Chat;
using ChatServer.Shared.Protocol;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ChatServer.Storage;

/// <summary>The messages in the SQLite database: <see cref="Append"/> returns after the commit, so the ack that follows
/// promises a message that survives a crash. The recent ones are also kept in memory for new connections' history.</summary>
/// <remarks>Not thread-safe on its own beyond the database's lock: <see cref="ChatRoom"/> calls it under its gate, which
/// also keeps sequence numbers in commit order.</remarks>
public sealed class SqliteMessageStore : IMessageStore
{
    private readonly SqliteChatDatabase _database;
    private readonly TimeProvider _time;
    private readonly Queue<ChatMessage> _recent = new();
    private readonly int _capacity;
    private long _sequence;

    public SqliteMessageStore(SqliteChatDatabase database, TimeProvider time, IOptions<ChatOptions> options)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(options);
        _database = database;
        _time = time;
        _capacity = Math.Max(1, options.Value.HistorySize);
        foreach (var message in database.Use(LoadRecent))
        {
            _recent.Enqueue(message);
            _sequence = message.Sequence;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<ChatMessage> Recent() => [.. _recent];

    /// <inheritdoc/>
    /// <remarks>The insert and the removal of an earlier rejection of the same edit id are one transaction.</remarks>
    /// <exception cref="StorageUnavailableException">The message could not be stored durably (see <see cref="SqliteChatDatabase.Write{T}"/>); nothing changed here.</exception>
    public ChatMessage Append(Guid id, string user, string text)
    {
        var message = new ChatMessage(id, user, text, _time.GetUtcNow(), _sequence + 1);
        _database.Write(connection =>
        {
            using var transaction = connection.BeginTransaction();
            using (var insert = connection.CreateCommand())
            {
                insert.CommandText = "INSERT INTO messages (sequence, id, user, text, sent_at_ticks) VALUES ($sequence, $id, $user, $text, $sentAt);";
                insert.Parameters.AddWithValue("$sequence", message.Sequence);
                insert.Parameters.AddWithValue("$id", SqliteEditLedger.Key(id));
                insert.Parameters.AddWithValue("$user", user);
                insert.Parameters.AddWithValue("$text", text);
                insert.Parameters.AddWithValue("$sentAt", message.SentAt.UtcTicks);
                insert.ExecuteNonQuery();
            }
            using (var forget = connection.CreateCommand())
            {
                // A retry that is accepted supersedes the earlier rejected attempt.
                forget.CommandText = "DELETE FROM edit_rejections WHERE id = $id;";
                forget.Parameters.AddWithValue("$id", SqliteEditLedger.Key(id));
                forget.ExecuteNonQuery();
            }
            transaction.Commit();
            return true;
        });
        _sequence = message.Sequence;
        _recent.Enqueue(message);
        while (_recent.Count > _capacity)
        {
            _recent.Dequeue();
        }
        return message;
    }

    private List<ChatMessage> LoadRecent(SqliteConnection connection)
    {
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT sequence, id, user, text, sent_at_ticks FROM (SELECT * FROM messages ORDER BY sequence DESC LIMIT $limit) ORDER BY sequence;";
        select.Parameters.AddWithValue("$limit", _capacity);
        using var reader = select.ExecuteReader();
        var messages = new List<ChatMessage>();
        while (reader.Read())
        {
            messages.Add(new ChatMessage(
                Guid.Parse(reader.GetString(1)),
                reader.GetString(2),
                reader.GetString(3),
                new DateTimeOffset(reader.GetInt64(4), TimeSpan.Zero),
                reader.GetInt64(0)));
        }
        return messages;
    }
}
