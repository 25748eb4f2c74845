using ChatServer.Auth;
using ChatServer.Chat;
using ChatServer.Shared.Protocol;
using ChatServer.Storage.Redis;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using Reactive.Edits.Remote;

namespace ChatServer.Storage;

/// <summary>Registers the message store and the edit ledger chosen by <c>Chat:Store:Kind</c>, the check that opens
/// the store at startup, and the store's health check.</summary>
public static class StorageServices
{
    /// <summary>Registers <see cref="RoomStorage"/>, <see cref="IEditLedger{TCommand}"/> and the session store
    /// (<see cref="ITicketStore"/>): SQLite by default, in memory, or the log in Redis that several nodes share.</summary>
    public static IServiceCollection AddChatStorage(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        // Resolved lazily from the options, so that a test host's Configure (e.g. Kind=Memory) takes effect.
        services.AddSingleton(static provider =>
        {
            var store = provider.GetRequiredService<IOptions<ChatOptions>>().Value.Store;
            var path = Path.Combine(provider.GetRequiredService<IHostEnvironment>().ContentRootPath, store.Path);
            return new SqliteChatDatabase(path, store, provider.GetRequiredService<ILogger<SqliteChatDatabase>>());
        });
        // Opened at startup: an unusable path or a database held by another server stops the process with the reason.
        services.AddHostedService<StorageStartupCheck>();
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage");
        services.AddSingleton<IMessageStore>(static provider => IsMemory(provider)
            ? ActivatorUtilities.CreateInstance<MemoryMessageStore>(provider)
            : ActivatorUtilities.CreateInstance<SqliteMessageStore>(provider));
        services.AddSingleton<RedisRoomStore>();
        services.AddSingleton(static provider => IsRedis(provider)
            ? new RoomStorage(null, provider.GetRequiredService<RedisRoomStore>())
            : new RoomStorage(provider.GetRequiredService<IMessageStore>(), null));
        // With the Redis store, this node delivers the shared log to its connections from startup on.
        services.AddHostedService<RedisRoomFeedService>();
        // Refusals (an anonymous send, an empty or too long text, a rate-limited send, someone else's message) are
        // answered but not recorded: otherwise each one an attacker sends would cost the store its text. Nor is a send
        // the store could not take. One ledger per command kind; the SQLite ones share the database's tables.
        AddLedger<SendMessage>(services);
        AddLedger<EditMessage>(services);
        AddLedger<DeleteMessage>(services);
        // The server-side sessions, kept as the messages are: a restart with the durable store keeps everyone logged in.
        // With several nodes (Chat:Redis), SharedStateServices puts a store shared through Redis in its place.
        services.AddSingleton<ITicketStore>(static provider => IsMemory(provider)
            ? ActivatorUtilities.CreateInstance<MemorySessionStore>(provider)
            : ActivatorUtilities.CreateInstance<SqliteSessionStore>(provider));
        return services;
    }

    // Rejections that leave no record: refusals (see above), and sends the store could not take (a retry must run again).
    private static readonly HashSet<string> UnrecordedCodes = new(SendValidator.RefusalCodes, StringComparer.Ordinal)
    {
        ChatProtocol.StorageUnavailable,
        ChatProtocol.NotAuthor,
        ChatProtocol.MessageNotFound,
        ChatProtocol.MessageDeleted,
    };

    private static void AddLedger<TCommand>(IServiceCollection services)
        where TCommand : ChatCommand =>
        services.AddSingleton<IEditLedger<TCommand>>(static provider => new RefusalSkippingLedger<TCommand>(
            provider.GetRequiredService<IOptions<ChatOptions>>().Value.Store.Kind switch
            {
                StoreKind.Memory => new InMemoryEditLedger<TCommand>(new InMemoryEditLedgerOptions { TimeProvider = provider.GetRequiredService<TimeProvider>() }),
                StoreKind.Redis => RedisLedger<TCommand>(provider.GetRequiredService<RedisRoomStore>()),
                _ => ActivatorUtilities.CreateInstance<SqliteEditLedger<TCommand>>(provider),
            },
            UnrecordedCodes));

    private static RedisEditLedger<TCommand> RedisLedger<TCommand>(RedisRoomStore store)
        where TCommand : ChatCommand => new(store.Log, store.Retry);

    private static bool IsMemory(IServiceProvider provider) =>
        provider.GetRequiredService<IOptions<ChatOptions>>().Value.Store.Kind == StoreKind.Memory;

    /// <summary>Tells whether the messages live in the Redis that several nodes share.</summary>
    /// <param name="provider">The services.</param>
    /// <returns><see langword="true"/> with <c>Chat:Store:Kind=Redis</c>.</returns>
    public static bool IsRedis(IServiceProvider provider) =>
        provider.GetRequiredService<IOptions<ChatOptions>>().Value.Store.Kind == StoreKind.Redis;
}
