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
}
