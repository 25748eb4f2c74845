namespace ChatServer.Chat;

/// <summary>Counts each user's open sockets over every node of the chat.</summary>
/// <remarks>Thread safety: every member may be called from any thread.</remarks>
public interface ISharedConnectionLimit
{
    /// <summary>Counts one more socket of <paramref name="user"/> over every node, unless the user has
    /// <paramref name="limit"/> open.</summary>
    /// <param name="user">The authenticated user name.</param>
    /// <param name="limit">The most sockets one user may have open.</param>
    /// <returns>A place that is given back when disposed, or <see langword="null"/> at the limit. When the shared count
    /// cannot be reached, a place that counts nowhere (the node's own count decides).</returns>
    IDisposable? TryAcquire(string user, int limit);
}
