using StackExchange.Redis;

namespace ChatServer.Storage.Redis;

/// <summary>Makes the StackExchange.Redis settings the message log relies on.</summary>
public static class RedisConnectionSettings
{
    /// <summary>Parses a connection string and sets what the log relies on: connecting in the background (a node
    /// starts while Redis is away), and failing commands at once while disconnected.</summary>
    /// <param name="connectionString">A StackExchange.Redis connection string, e.g. <c>127.0.0.1:6379</c>.</param>
    /// <returns>The options, to pass to <see cref="ConnectionMultiplexer.ConnectAsync(ConfigurationOptions, TextWriter?)"/>.</returns>
    /// <remarks>Why fail fast: the client's default queues commands while disconnected and sends them once it is back,
    /// so an append that the chat had already reported unavailable could still be stored later, out of its sender's
    /// sight. Failing at once keeps the rule simple: a <see cref="StorageUnavailableException"/> from a read or an
    /// append that never left this node means nothing happened.</remarks>
    public static ConfigurationOptions Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        return options;
    }
}
