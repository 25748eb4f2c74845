using ChatServer.Chat;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ChatServer.Storage.Redis;

/// <summary>This node's connection to the Redis of <see cref="ChatOptions.Redis"/>, through which the nodes share the
/// state other than messages, and this node's id among them.</summary>
/// <remarks>Connects in the background (<see cref="RedisConnectionSettings.Parse"/>): a node starts while Redis is away,
/// and each shared piece says what it does until Redis answers.</remarks>
public sealed class SharedRedisConnection : IDisposable
{
    /// <summary>Connects to <see cref="ChatOptions.Redis"/>.</summary>
    /// <param name="options">The options.</param>
    public SharedRedisConnection(IOptions<ChatOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Multiplexer = ConnectionMultiplexer.Connect(RedisConnectionSettings.Parse(options.Value.Redis));
    }

    /// <summary>Gets the connection.</summary>
    public ConnectionMultiplexer Multiplexer { get; }

    /// <summary>Gets the database.</summary>
    public IDatabase Database => Multiplexer.GetDatabase();

    /// <summary>Gets this node's id: random per process, so that a restarted node never takes a dead one's entries.</summary>
    public string NodeId { get; } = Guid.NewGuid().ToString("N");

    public void Dispose() => Multiplexer.Dispose();
}
