using ChatServer.Chat;

namespace ChatServer.Storage.Redis;

/// <summary>Logs when a shared piece of state loses Redis and when it has it back, once each, not at every call.</summary>
/// <param name="what">The piece, for the log (e.g. "send rate").</param>
/// <param name="consequence">What the node does meanwhile, for the log.</param>
/// <param name="logger">The log.</param>
internal sealed class RedisOutage(string what, string consequence, ILogger logger)
{
    private int _down;

    /// <summary>Records a failed call; logs the first of an outage.</summary>
    public void Failed(Exception exception)
    {
        if (Interlocked.Exchange(ref _down, 1) == 0)
        {
            ChatLog.SharedStateUnavailable(logger, exception, what, consequence);
        }
    }

    /// <summary>Records a call that reached Redis; logs the end of an outage.</summary>
    public void Succeeded()
    {
        if (Volatile.Read(ref _down) == 1 && Interlocked.Exchange(ref _down, 0) == 1)
        {
            ChatLog.SharedStateResumed(logger, what);
        }
    }
}
