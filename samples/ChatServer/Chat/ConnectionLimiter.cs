using Microsoft.Extensions.Options;

namespace ChatServer.Chat;

/// <summary>Counts each logged-in user's open sockets, so that one user cannot hold an unbounded number of
/// connections (each costs an outbox, a presence feed and two loops).</summary>
/// <remarks>
/// <para>With several nodes (<see cref="ChatOptions.Redis"/>), a user's sockets are counted over every node by an
/// <see cref="ISharedConnectionLimit"/> as well; while it cannot answer (Redis away), this node's count alone decides.</para>
/// <para>Thread safety: every member may be called from any thread.</para>
/// </remarks>
public sealed class ConnectionLimiter(IOptions<ChatOptions> options, ISharedConnectionLimit? shared = null)
{
    // "Alice" and "alice" are one user: one allowance.
    private readonly Dictionary<string, int> _open = new(Auth.UserNames.Comparer);
    private readonly int _limit = options.Value.MaxConnectionsPerUser;

    /// <summary>Gets the most sockets one user may have open.</summary>
    public int Limit => _limit;

    /// <summary>Counts one more socket of <paramref name="user"/>, unless the user is at the limit.</summary>
    /// <param name="user">The authenticated user name.</param>
    /// <returns>A lease that gives the place back when disposed, or <see langword="null"/> at the limit.</returns>
    public IDisposable? TryAcquire(string user)
    {
        lock (_open)
        {
            var open = _open.GetValueOrDefault(user);
            if (open >= _limit)
            {
                return null;
            }
            _open[user] = open + 1;
        }
        var lease = new Lease(this, user, null);
        if (shared is null)
        {
            return lease;
        }
        if (shared.TryAcquire(user, _limit) is not { } place)
        {
            lease.Dispose();
            return null;
        }
        lease.Shared = place;
        return lease;
    }

    private void Release(string user)
    {
        lock (_open)
        {
            if (_open[user] == 1)
            {
                _open.Remove(user);
            }
            else
            {
                _open[user]--;
            }
        }
    }

    private sealed class Lease(ConnectionLimiter limiter, string user, IDisposable? shared) : IDisposable
    {
        private int _disposed;

        // The place counted over every node, if any.
        public IDisposable? Shared { get; set; } = shared;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                limiter.Release(user);
                Shared?.Dispose();
            }
        }
    }
}
