using Microsoft.Data.Sqlite;

namespace ChatServer.Storage;

/// <summary>The chat's SQLite database: one connection, opened in WAL mode with <c>synchronous=FULL</c>, and its schema.</summary>
/// <remarks>
/// <para><b>Durability</b>: in WAL mode a commit appends to the write-ahead log; with <c>synchronous=FULL</c> the log is
/// fsynced before the commit returns, so a committed message survives a process kill and a power loss.
/// (<c>NORMAL</c> would survive a process kill too, but may lose the last commits on a power loss, and a send is
/// acknowledged only after its commit: an ack is a promise.) The cost is one fsync per message.</para>
/// <para><b>Schema</b>: <c>messages</c> (the sequence is the row id; the edit id is unique) and <c>edit_rejections</c>
/// (the last rejected attempt of an edit id), and <c>sessions</c> (<see cref="SqliteSessionStore"/>). An accepted edit is recorded by its message row, in the message's own
/// transaction: a message and the acceptance of the edit that made it cannot exist without each other.</para>
/// <para>Thread safety: every use of the connection goes through <see cref="Use{T}"/>, under one lock.</para>
/// </remarks>
public sealed class SqliteChatDatabase : IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS messages (
            sequence INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            user TEXT NOT NULL,
            text TEXT NOT NULL,
            sent_at_ticks INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS edit_rejections (
            id TEXT PRIMARY KEY,
            attempt INTEGER NOT NULL,
            text TEXT NOT NULL,
            code TEXT NOT NULL,
            message TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS sessions (
            id TEXT PRIMARY KEY,
            ticket BLOB NOT NULL,
            last_use_ticks INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS sessions_by_last_use ON sessions (last_use_ticks);
        """;

    private readonly object _gate = new();
    private readonly SqliteConnection _connection;

    /// <summary>Opens (or creates) the database at <paramref name="path"/> and makes sure the schema exists.</summary>
    /// <param name="path">The database file; its directory is created if missing.</param>
    public SqliteChatDatabase(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // One long-lived connection, guarded by the lock: no pool needed.
            Pooling = false,
        }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL;");
        Execute("PRAGMA synchronous=FULL;");
        Execute(Schema);
    }

    /// <summary>Gets the full path of the database file.</summary>
    public string Path { get; }

    /// <summary>Runs <paramref name="work"/> with the connection, under the database's lock.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="work">The work; it must not keep the connection.</param>
    /// <returns>What <paramref name="work"/> returned.</returns>
    public T Use<T>(Func<SqliteConnection, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        lock (_gate)
        {
            return work(_connection);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _connection.Dispose();
        }
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
