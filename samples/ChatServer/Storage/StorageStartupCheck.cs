using ChatServer.Chat;
using Microsoft.Extensions.Options;

namespace ChatServer.Storage;

/// <summary>Opens the store when the host starts, so that an unusable <c>Chat:Store:Path</c> (or a database another
/// server holds) stops the process with the reason, instead of a server that answers every socket with a 500.</summary>
internal sealed class StorageStartupCheck(IServiceProvider services, IOptions<ChatOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Store.Kind == StoreKind.Sqlite)
        {
            // Opening checks the file, takes the lock, creates the schema and writes; loading the store reads the messages.
            services.GetRequiredService<SqliteChatDatabase>();
            services.GetRequiredService<IMessageStore>();
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
