using ChatServer.Chat;
using ChatServer.Shared.Protocol;
using Microsoft.Extensions.Options;
using Reactive.Edits.Remote;

namespace ChatServer.Storage;

/// <summary>Registers the message store and the edit ledger chosen by <c>Chat:Store:Kind</c>.</summary>
public static class StorageServices
{
    /// <summary>Registers <see cref="IMessageStore"/> and <see cref="IEditLedger{TCommand}"/>: SQLite by default, or in memory.</summary>
    public static IServiceCollection AddChatStorage(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        // Resolved lazily from the options, so that a test host's Configure (e.g. Kind=Memory) takes effect.
        services.AddSingleton(static provider =>
        {
            var store = provider.GetRequiredService<IOptions<ChatOptions>>().Value.Store;
            var path = Path.Combine(provider.GetRequiredService<IHostEnvironment>().ContentRootPath, store.Path);
            return new SqliteChatDatabase(path);
        });
        services.AddSingleton<IMessageStore>(static provider => IsMemory(provider)
            ? ActivatorUtilities.CreateInstance<MemoryMessageStore>(provider)
            : ActivatorUtilities.CreateInstance<SqliteMessageStore>(provider));
        // Refusals (an anonymous send, an empty or too long text, a rate-limited send) are answered but not recorded:
        // otherwise each one an attacker sends would cost the store its text.
        services.AddSingleton<IEditLedger<SendMessage>>(static provider => new RefusalSkippingLedger<SendMessage>(
            IsMemory(provider)
                ? new InMemoryEditLedger<SendMessage>(new InMemoryEditLedgerOptions { TimeProvider = provider.GetRequiredService<TimeProvider>() })
                : ActivatorUtilities.CreateInstance<SqliteEditLedger>(provider),
            SendValidator.RefusalCodes));
        return services;
    }

    private static bool IsMemory(IServiceProvider provider) =>
        provider.GetRequiredService<IOptions<ChatOptions>>().Value.Store.Kind == StoreKind.Memory;
}
