using ChatServer.Shared.Protocol;
using ChatServer.Storage.Redis;
using ChatServer.Tests.Support;
using System.Reactive;
using System.Reactive.Linq;
using StackExchange.Redis;

namespace ChatServer.Tests.Redis;

/// <summary>What one chat node has of Redis: its own connection, and the room's log and ledger over it.</summary>
public sealed class RedisNode : IAsyncDisposable
{
    public const string Room = "chat";

    private RedisNode(ConnectionMultiplexer connection)
    {
        Connection = connection;
        Log = new RedisMessageLog(connection, new RedisRoomKeys(Room), TimeProvider.System);
        Retry = new RedisOutageRetry(TimeSpan.FromMilliseconds(100), TimeProvider.System, Logs);
        Ledger = new RedisEditLedger<SendMessage>(Log, Retry);
    }

    public ConnectionMultiplexer Connection { get; }

    public RedisMessageLog Log { get; }

    public RedisEditLedger<SendMessage> Ledger { get; }

    /// <summary>How this node's ledger waits while Redis is away.</summary>
    public RedisOutageRetry Retry { get; }

    /// <summary>What this node's feeds logged.</summary>
    public SignallingLogger Logs { get; } = new();

    public static async Task<RedisNode> ConnectAsync(RedisServer server)
    {
        var options = RedisConnectionSettings.Parse(server.EndPoint);
        // Reconnect within a tenth of a second once the test restarts the server, and notice a dead one as fast.
        options.ReconnectRetryPolicy = new LinearRetry(100);
        options.HeartbeatInterval = TimeSpan.FromMilliseconds(100);
        options.ConnectTimeout = 2000;
        var connection = await ConnectionMultiplexer.ConnectAsync(options);
        return new RedisNode(connection);
    }

    /// <summary>Starts a feed of the room from <paramref name="afterOffset"/> that records what it delivers.</summary>
    public FeedRecorder Feed(long afterOffset = 0) =>
        new(callback => new RedisMessageFeed(
            Log,
            afterOffset,
            callback,
            new RedisMessageFeedOptions { PollInterval = TimeSpan.FromMilliseconds(100) },
            TimeProvider.System,
            Logs));

    /// <summary>Waits until the connection is back after a restart of the server (signalled by the client's event).</summary>
    public Task WaitUntilConnectedAsync()
    {
        var restored = Observable.FromEventPattern<ConnectionFailedEventArgs>(
            handler => Connection.ConnectionRestored += handler,
            handler => Connection.ConnectionRestored -= handler).Select(_ => Unit.Default);
        return Faults.Eventually.HoldsAsync(() => Connection.IsConnected, "the node reconnected to Redis", restored, TimeSpan.FromSeconds(20));
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
