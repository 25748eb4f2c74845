namespace ChatServer.Storage;

/// <summary>The chat's storage settings, section <c>Chat:Store</c>.</summary>
public sealed class StoreOptions
{
    /// <summary>Gets or sets where messages and the edit ledger are kept.</summary>
    /// <value><see cref="StoreKind.Sqlite"/>: durable by default.</value>
    public StoreKind Kind { get; set; } = StoreKind.Sqlite;

    /// <summary>Gets or sets the SQLite database file; a relative path is under the content root.</summary>
    /// <value><c>chat.db</c>.</value>
    public string Path { get; set; } = "chat.db";

    /// <summary>Gets or sets the most pages (of 4 KiB) the database may grow to, or <see langword="null"/> for SQLite's
    /// own limit; past it a write fails as on a full disk (<c>SQLITE_FULL</c>).</summary>
    /// <value><see langword="null"/>: bounded by the disk only.</value>
    /// <remarks>A quota for a shared disk, and the way the tests fill the store without filling the machine's disk.</remarks>
    public int? MaxPageCount { get; set; }

    /// <summary>Gets or sets how long a write to Redis waits before it is tried again while Redis is away. Used only with
    /// <see cref="StoreKind.Redis"/>.</summary>
    /// <value>250 milliseconds.</value>
    public TimeSpan RedisRetryInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Gets or sets how long a node's feed waits for a write's notification before it reads the log anyway
    /// (notifications are at most once, and none arrive while Redis is away). Used only with <see cref="StoreKind.Redis"/>.</summary>
    /// <value>1 second.</value>
    public TimeSpan RedisPollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
