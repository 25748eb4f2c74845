using ChatServer.Chat;

namespace ChatServer.Storage.Redis;

/// <summary>Runs a call to the room's log again and again while Redis is away, until it reaches Redis or the caller
/// gives up: an edit whose outcome depends on Redis then stays pending for its client (no answer yet, resent after a
/// reconnect) instead of failing, and completes by itself once Redis is back.</summary>
/// <remarks>Every call retried here is safe to run twice: a write is one script that checks its edit id first, so a
/// script that ran before the connection broke is answered with its first outcome the second time.</remarks>
/// <param name="interval">How long to wait between two tries.</param>
/// <param name="time">The clock of the wait.</param>
/// <param name="logger">Where the start and end of an outage are logged, once each.</param>
public sealed class RedisOutageRetry(TimeSpan interval, TimeProvider time, ILogger logger)
{
    private readonly RedisOutage _outage = new("message log", "edits stay pending until Redis is back", logger);

    /// <summary>Gets how many calls failed because Redis was away, and were tried again.</summary>
    public int Retries => Volatile.Read(ref _retries);

    private int _retries;

    /// <summary>Runs <paramref name="call"/> until it does not throw <see cref="StorageUnavailableException"/>.</summary>
    /// <typeparam name="T">The call's result.</typeparam>
    /// <param name="call">The call.</param>
    /// <param name="cancellationToken">Stops the retries (the connection ended, or the server stops).</param>
    /// <returns>The call's result.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while Redis was away.</exception>
    public async Task<T> RunAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var result = await call();
                _outage.Succeeded();
                return result;
            }
            catch (StorageUnavailableException ex)
            {
                Interlocked.Increment(ref _retries);
                _outage.Failed(ex);
            }
            await Task.Delay(interval, time, cancellationToken);
        }
    }
}
