namespace ChatServer.Storage.Redis;

/// <summary>How a <see cref="RedisMessageFeed"/> reads the log.</summary>
public sealed class RedisMessageFeedOptions
{
    /// <summary>Gets or sets how long the feed waits for an append's notification before it reads anyway.</summary>
    /// <value>1 second. Notifications (Redis pub/sub) are at most once, and none arrive while Redis is away: this bounds
    /// how late a message whose notification was lost is delivered, and how often a feed retries while Redis is away.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how many events one read fetches at most.</summary>
    /// <value>100.</value>
    public int BatchSize { get; set; } = 100;
}
