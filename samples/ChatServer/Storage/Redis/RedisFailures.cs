using StackExchange.Redis;

namespace ChatServer.Storage.Redis;

/// <summary>Tells Redis being away (no connection, no answer in time, still loading its data, refusing writes) from
/// other failures, and turns the former into <see cref="StorageUnavailableException"/>.</summary>
internal static class RedisFailures
{
    // Errors with which a reachable server refuses a command for now: loading its append-only file, unable to persist,
    // a replica, a busy script, out of memory, or a cluster that is failing over.
    private static readonly string[] TransientServerErrors = ["LOADING", "MISCONF", "READONLY", "BUSY", "OOM", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN"];

    /// <summary>Runs a Redis call, turning a failure that means Redis is away into <see cref="StorageUnavailableException"/>.</summary>
    /// <typeparam name="T">The call's result.</typeparam>
    /// <param name="call">The call.</param>
    /// <param name="what">What was being done, for the exception's message.</param>
    /// <returns>The call's result.</returns>
    /// <exception cref="StorageUnavailableException">Redis is unavailable. For a write, the outcome is unknown: the
    /// command may have run before the connection broke.</exception>
    public static async Task<T> UnlessUnavailableAsync<T>(Func<Task<T>> call, string what)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            throw new StorageUnavailableException(new StorageFault($"Redis is unavailable: {what} failed ({ex.GetType().Name})", Permanent: false), ex);
        }
    }

    /// <summary>Tells whether a failure means that Redis is away (for now) rather than that the call was wrong.</summary>
    /// <param name="exception">The failure.</param>
    /// <returns><see langword="true"/> for connection failures, timeouts and transient server errors.</returns>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        RedisConnectionException or RedisTimeoutException => true,
        RedisServerException server => Array.Exists(TransientServerErrors, code => server.Message.StartsWith(code, StringComparison.Ordinal)),
        _ => false,
    };
}
