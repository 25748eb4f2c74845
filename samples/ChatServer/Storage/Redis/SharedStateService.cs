using ChatServer.Chat;
using Microsoft.Extensions.Options;

namespace ChatServer.Storage.Redis;

/// <summary>Runs this node's part of the shared state while the host runs: the presence loop, the renewal of its
/// connection leases every <see cref="ChatOptions.NodeHeartbeat"/>, and the subscription to logouts on other nodes.
/// Does nothing without <see cref="ChatOptions.Redis"/>.</summary>
public sealed class SharedStateService(IServiceProvider services, IOptions<ChatOptions> options, TimeProvider time, ILogger<SharedStateService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!SharedStateServices.IsShared(options.Value))
        {
            return;
        }
        var redis = services.GetRequiredService<SharedRedisConnection>();
        ChatLog.SharedStateOn(logger, string.Join(",", redis.Multiplexer.GetEndPoints().Select(static e => e.ToString())), redis.NodeId);
        IAsyncDisposable? logouts = null;
        try
        {
            logouts = await services.GetRequiredService<RedisSessionEndRelay>().StartAsync();
        }
        catch (Exception ex) when (RedisFailures.IsUnavailable(ex))
        {
            // The client subscribes again once it reconnects: logouts published meanwhile are missed (see the relay).
            ChatLog.SharedStateUnavailable(logger, ex, "logout relay", "logouts on other nodes do not close this node's sockets until it returns");
        }
        try
        {
            await Task.WhenAll(
                services.GetRequiredService<RedisPresence>().RunAsync(stoppingToken),
                RenewLeasesAsync(services.GetRequiredService<RedisConnectionLeases>(), stoppingToken));
        }
        finally
        {
            if (logouts is not null)
            {
                await logouts.DisposeAsync();
            }
        }
    }

    private async Task RenewLeasesAsync(RedisConnectionLeases leases, CancellationToken stopping)
    {
        using var heartbeat = new PeriodicTimer(options.Value.NodeHeartbeat, time);
        try
        {
            while (await heartbeat.WaitForNextTickAsync(stopping))
            {
                await leases.RenewAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
