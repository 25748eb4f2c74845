using ChatServer.Chat;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace ChatServer.Storage;

/// <summary>The chat's SQLite database: one connection, opened in WAL mode with <c>synchronous=FULL</c>, its schema,
/// an exclusive lock on it, and a watch over its files.</summary>
/// <remarks>
/// <para><b>Durability</b>: in WAL mode a commit appends to the write-ahead log; with <c>synchronous=FULL</c> the log is
/// fsynced before the commit returns, so a committed message survives a process kill and a power loss.
/// (<c>NORMAL</c> would survive a process kill too, but may lose the last commits on a power loss, and a send is
/// acknowledged only after its commit: an ack is a promise.) The cost is one fsync per message.</para>
/// <para><b>Schema</b>: <c>messages</c> (the sequence is the row id; the edit id is unique) and <c>edit_rejections</c>
/// (the last rejected attempt of an edit id), and <c>sessions</c> (<see cref="SqliteSessionStore"/>). An accepted edit is recorded by its message row, in the message's own
/// transaction: a message and the acceptance of the edit that made it cannot exist without each other.</para>
/// <para><b>Checked at startup</b>: the constructor opens the file, creates the schema and writes (the schema version),
/// so an unusable <c>Chat:Store:Path</c> stops the server with the reason instead of failing every send later.</para>
/// <para><b>One server per file</b>: a lock file (<c>chat.db.lock</c>) is held open with <see cref="FileShare.None"/>,
/// which .NET takes as an exclusive <c>flock</c> on Unix: a second server on the same file refuses to start.</para>
/// <para><b>Files watched</b>: an open file outlives its deletion, so SQLite would go on committing into a deleted or
/// replaced file whose contents vanish at the next restart. Each <see cref="Write{T}"/> therefore checks, before and
/// after its work, that the database, its write-ahead log and the lock file are still the files opened (device and
/// inode, see <see cref="FileIdentity"/>); if one is not, the write fails with <see cref="StorageUnavailableException"/>
/// and every later one too, until a restart. A full disk (<c>SQLITE_FULL</c>) and other I/O errors fail the write the
/// same way, until a write succeeds again. Each such change is logged once, and <see cref="CheckFault"/> tells /health.</para>
/// <para>Thread safety: every use of the connection goes through <see cref="Use{T}"/> or <see cref="Write{T}"/>, under one
/// lock; reads that need not wait for a write go through <see cref="Read{T}"/>, on a read-only connection under its own lock.</para>
/// </remarks>
public sealed class SqliteChatDatabase : IDisposable
{
    private const int SchemaVersion = 2;

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

    // Version 2: edits and deletions of messages. A message keeps its revision, last edit time, recent edit ids, the hash
    // of the text it was sent with once that text changed (for the ledger), and its deletion time; each accepted edit or
    // deletion is a row of message_edits.
    private const string SchemaVersion2 = """
        ALTER TABLE messages ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE messages ADD COLUMN edited_at_ticks INTEGER;
        ALTER TABLE messages ADD COLUMN edit_ids TEXT NOT NULL DEFAULT '';
        ALTER TABLE messages ADD COLUMN deleted_at_ticks INTEGER;
        ALTER TABLE messages ADD COLUMN sent_text_sha256 TEXT;
        CREATE TABLE message_edits (
            id TEXT PRIMARY KEY,
            message_id TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            applied_at_ticks INTEGER NOT NULL
        );
        """;

    // SQLite result codes that mean the storage, not the statement, failed: busy or locked by another process,
    // read-only, I/O error, corrupt, full, cannot open, not a database.
    private static readonly HashSet<int> StorageErrorCodes = [5, 6, 8, 10, 11, 13, 14, 26];
    private const int Full = 13;

    private readonly object _gate = new();
    private readonly ILogger _logger;
    private readonly FileStream _lock;
    private readonly SqliteConnection _connection;
    // A second connection for reads that may run while a write commits: in WAL mode a reader sees the last commit and
    // never waits for a writer, so a lookup does not queue behind a message's fsync.
    private readonly object _readGate = new();
    private readonly SqliteConnection _reader;
    private readonly List<(string Path, FileIdentity Identity)> _watched = [];
    private StorageFault? _fault;

    /// <summary>Opens (or creates) the database at <paramref name="path"/> with the default options, logging nothing.</summary>
    /// <param name="path">The database file; its directory is created if missing.</param>
    public SqliteChatDatabase(string path)
        : this(path, new StoreOptions(), NullLogger.Instance)
    {
    }

    /// <summary>Opens (or creates) the database at <paramref name="path"/>, locks it, makes sure the schema exists and that it can be written.</summary>
    /// <param name="path">The database file; its directory is created if missing.</param>
    /// <param name="options">The store's options (the page limit).</param>
    /// <param name="logger">Where faults of the files are logged.</param>
    /// <exception cref="ChatStartupException">The path cannot be used; the message names <c>Chat:Store:Path</c>, the path and the reason.</exception>
    public SqliteChatDatabase(string path, StoreOptions options, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        Path = System.IO.Path.GetFullPath(path);
        LockPath = Path + ".lock";
        _lock = TakeLock();
        try
        {
            _connection = OpenAndCheck(options.MaxPageCount);
        }
        catch
        {
            _lock.Dispose();
            throw;
        }
        try
        {
            _reader = OpenReader();
        }
        catch
        {
            _connection.Dispose();
            _lock.Dispose();
            throw;
        }
        foreach (var file in (ReadOnlySpan<string>)[Path, Path + "-wal", LockPath])
        {
            if (FileIdentity.Of(file) is { } identity)
            {
                _watched.Add((file, identity));
            }
        }
    }

    /// <summary>Gets the full path of the database file.</summary>
    public string Path { get; }

    /// <summary>Gets the full path of the lock file that keeps a second server off the database.</summary>
    public string LockPath { get; }

    /// <summary>Checks the files now and returns what keeps the database from storing, or <see langword="null"/> if nothing does.</summary>
    /// <returns>The fault in force.</returns>
    public StorageFault? CheckFault()
    {
        lock (_gate)
        {
            WatchFiles();
            return _fault;
        }
    }

    /// <summary>Runs <paramref name="work"/> (a read) with a read-only connection of its own, which sees the last commit and
    /// does not wait for a write in progress (its fsync included).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="work">The work, which only reads; it must not keep the connection.</param>
    /// <returns>What <paramref name="work"/> returned.</returns>
    public T Read<T>(Func<SqliteConnection, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        lock (_readGate)
        {
            return work(_reader);
        }
    }

    /// <summary>Runs <paramref name="work"/> (a read, or a write that need not be checked) with the connection, under the database's lock.</summary>
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

    /// <summary>Runs <paramref name="work"/> (a write, committed when it returns) under the database's lock, between two
    /// checks that the files are still the ones opened.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="work">The work; it must not keep the connection.</param>
    /// <returns>What <paramref name="work"/> returned: its commit is in the files at the path.</returns>
    /// <exception cref="StorageUnavailableException">A file was deleted or replaced (before or during the work), the
    /// disk is full, or the write failed for another reason of storage; see <see cref="CheckFault"/>.</exception>
    public T Write<T>(Func<SqliteConnection, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        lock (_gate)
        {
            ThrowIfFilesMoved();
            T result;
            try
            {
                result = work(_connection);
            }
            catch (SqliteException ex) when (StorageErrorCodes.Contains(ex.SqliteErrorCode))
            {
                ThrowIfFilesMoved();
                var full = ex.SqliteErrorCode == Full;
                Report(new StorageFault(
                    full
                        ? $"the database {FileName} is full (its disk, or Chat:Store:MaxPageCount); nothing is stored until a write succeeds"
                        : $"the database {FileName} cannot be written (SQLite error {ex.SqliteErrorCode}); nothing is stored until a write succeeds",
                    Permanent: false),
                    ex);
                throw new StorageUnavailableException(_fault!, ex);
            }
            // After the commit: a file replaced or deleted meanwhile means the commit may be in a file that is gone.
            ThrowIfFilesMoved();
            if (_fault is not null)
            {
                _fault = null;
                ChatLog.StoreRecovered(_logger, Path);
            }
            return result;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            lock (_readGate)
            {
                _reader.Dispose();
            }
            _connection.Dispose();
            _lock.Dispose();
        }
    }

    private string FileName => System.IO.Path.GetFileName(Path);

    private static string Unusable(string path, string reason) => $"Chat:Store:Path '{path}' cannot be used: {reason.TrimEnd('.')}.";

    // The lock comes first: a second server must not touch the database at all (not even its schema).
    private FileStream TakeLock()
    {
        if (Directory.Exists(Path))
        {
            throw new ChatStartupException(Unusable(Path, "it is a directory"));
        }
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        for (var ancestor = directory; !string.IsNullOrEmpty(ancestor); ancestor = System.IO.Path.GetDirectoryName(ancestor))
        {
            if (File.Exists(ancestor))
            {
                throw new ChatStartupException(Unusable(Path, $"'{ancestor}' is not a directory (it is a file)"));
            }
        }
        try
        {
            Directory.CreateDirectory(directory);
            return new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex) when (ex.HResult == SharingViolation)
        {
            throw new ChatStartupException(Unusable(Path, $"another process holds its lock file '{LockPath}' (is a second server running on this database?)"), ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ChatStartupException(Unusable(Path, $"the server cannot create files in '{directory}' ({ex.Message})"), ex);
        }
    }

    // What .NET reports when FileShare.None finds the file locked (ERROR_SHARING_VIOLATION, also on Unix).
    private const int SharingViolation = unchecked((int)0x80070020);

    // Each connection is long-lived and guarded by its own lock: no pool needed.
    private SqliteConnection NewConnection(SqliteOpenMode mode) => new(new SqliteConnectionStringBuilder
    {
        DataSource = Path,
        Mode = mode,
        Pooling = false,
    }.ToString());

    private SqliteConnection OpenAndCheck(int? maxPageCount)
    {
        var connection = NewConnection(SqliteOpenMode.ReadWriteCreate);
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA journal_mode=WAL;");
            Execute(connection, "PRAGMA synchronous=FULL;");
            if (maxPageCount is { } pages)
            {
                Execute(connection, $"PRAGMA max_page_count={pages.ToString(System.Globalization.CultureInfo.InvariantCulture)};");
            }
            Execute(connection, Schema);
            if (UserVersion(connection) < 2)
            {
                // One transaction: a crash halfway leaves version 1, and the next start runs the whole step again.
                Execute(connection, "BEGIN;" + SchemaVersion2 + "PRAGMA user_version=2; COMMIT;");
            }
            // A write at startup: a read-only file or directory, or a full disk, fails here rather than at the first send.
            Execute(connection, $"PRAGMA user_version={SchemaVersion};");
            return connection;
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw new ChatStartupException(Unusable(Path, ex.Message), ex);
        }
    }

    private SqliteConnection OpenReader()
    {
        var reader = NewConnection(SqliteOpenMode.ReadOnly);
        try
        {
            reader.Open();
            return reader;
        }
        catch (SqliteException ex)
        {
            reader.Dispose();
            throw new ChatStartupException(Unusable(Path, ex.Message), ex);
        }
    }

    private void ThrowIfFilesMoved()
    {
        WatchFiles();
        if (_fault is { Permanent: true } fault)
        {
            throw new StorageUnavailableException(fault);
        }
    }

    // Compares each watched file with the one opened; the first one gone or replaced is a permanent fault.
    private void WatchFiles()
    {
        if (_fault is { Permanent: true })
        {
            return;
        }
        foreach (var (file, identity) in _watched)
        {
            var now = FileIdentity.Of(file);
            if (now == identity)
            {
                continue;
            }
            var what = now is null ? "deleted" : "replaced";
            Report(new StorageFault($"the file {System.IO.Path.GetFileName(file)} was {what} while the server ran; nothing is stored until the server is restarted", Permanent: true), null);
            ChatLog.StoreFileMoved(_logger, file, what);
            return;
        }
    }

    private void Report(StorageFault fault, SqliteException? failure)
    {
        var changed = _fault != fault;
        _fault = fault;
        if (changed && failure is not null)
        {
            ChatLog.StoreWriteFailed(_logger, failure, Path, fault.Reason);
        }
    }

    private static long UserVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return (long)command.ExecuteScalar()!;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
