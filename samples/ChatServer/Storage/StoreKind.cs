namespace ChatServer.Storage;

/// <summary>Where the chat keeps its messages and its ledger of edit ids.</summary>
public enum StoreKind
{
    /// <summary>A SQLite database file: messages and edit outcomes survive a restart or a crash.</summary>
    Sqlite,

    /// <summary>In memory: everything is lost when the process ends (tests, throwaway demos).</summary>
    Memory,

    /// <summary>In the Redis of <c>Chat:Redis</c>, shared by every node: one order of messages over all nodes, and one
    /// ledger of edit ids (docs/scale-out.md).</summary>
    Redis,
}
