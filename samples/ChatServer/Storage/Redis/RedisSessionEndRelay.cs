using ChatServer.Chat;
using StackExchange.Redis;

namespace ChatServer.Storage.Redis;

/// <summary>Closes this node's sockets of a session that ended at a logout on any node (4401, as
/// <see cref="SessionSockets"/> does for a logout on this node).</summary>
/// <remarks>Pub/sub: a node that is not subscribed when the logout is published (Redis away, or the node restarting)
/// misses it. Its sockets of that session stay open until they close; a new socket with the ended session's cookie is
/// refused, since the session is gone from <see cref="RedisSessionStore"/>.</remarks>
public sealed class RedisSessionEndRelay(SharedRedisConnection redis, SessionSockets sockets, ILogger<RedisSessionEndRelay> logger)
{
    /// <summary>Subscribes to the logouts of every node.</summary>
    /// <returns>Disposing it unsubscribes.</returns>
    public async Task<IAsyncDisposable> StartAsync()
    {
        var subscriber = redis.Multiplexer.GetSubscriber();
        var queue = await subscriber.SubscribeAsync(SharedStateKeys.SessionEnded);
        queue.OnMessage(async message =>
        {
            if (message.Message.IsNullOrEmpty)
            {
                return;
            }
            ChatLog.SessionEndedElsewhere(logger);
            await sockets.CloseSessionAsync(message.Message!, user: null);
        });
        return new Subscription(queue);
    }

    private sealed class Subscription(ChannelMessageQueue queue) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await queue.UnsubscribeAsync();
    }
}
