using ChatServer.Chat;

namespace ChatServer.Storage.Redis;

/// <summary>Starts the room's feed of the shared log when the host starts, and stops it when the host stops; does
/// nothing unless the messages live in Redis.</summary>
internal sealed class RedisRoomFeedService(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        StorageServices.IsRedis(services) ? services.GetRequiredService<ChatRoom>().StartSharedLogAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) =>
        StorageServices.IsRedis(services) ? services.GetRequiredService<ChatRoom>().StopSharedLogAsync() : Task.CompletedTask;
}
