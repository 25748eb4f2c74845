using Microsoft.Extensions.Options;

namespace ChatServer.Chat;

/// <summary>Counts each logged-in user's open sockets, so that one user cannot hold an unbounded number of
/// connections (each costs an outbox, a presence feed and two loops).</summary>
/// <remarks>Thread safety: every member may be called from any thread.</remarks>
public sealed class ConnectionLimiter(IOptions<ChatOptions> options)
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
        return new Lease(this, user);
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

    private sealed class Lease(ConnectionLimiter limiter, string user) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                limiter.Release(user);
            }
        }
    }
}
