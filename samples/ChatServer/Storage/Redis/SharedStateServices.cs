using ChatServer.Chat;
using ChatServer.Presence;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ChatServer.Storage.Redis;

/// <summary>Registers what several nodes share through <see cref="ChatOptions.Redis"/> besides messages: the Data
/// Protection keys (so a cookie made on one node is valid on all), the sessions, presence, and the per-user send rate
/// and connection limits. Without it, nothing changes: one node, its own keys, sessions, presence and limits.</summary>
public static class SharedStateServices
{
    /// <summary>The Data Protection application name every node shares: a cookie protected on one node is unprotected
    /// on another only if both use the same keys and the same name (by default the name is the content root's path).</summary>
    public const string ApplicationName = "Reactive.Edits.Chat";

    /// <summary>Tells whether the nodes share their state through Redis.</summary>
    /// <param name="options">The chat's options.</param>
    /// <returns><see langword="true"/> when <see cref="ChatOptions.Redis"/> is set.</returns>
    public static bool IsShared(ChatOptions options) => !string.IsNullOrWhiteSpace(options?.Redis);

    /// <summary>Registers the shared state; call after the chat's own registrations (of the session store, presence and
    /// the limits), which it wraps. Each choice is made from the options when the service is first resolved, so that a
    /// test host's configuration takes effect.</summary>
    /// <param name="services">The services.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddChatSharedState(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<SharedRedisConnection>();
        services.AddSingleton<RedisPresence>();
        services.AddSingleton<RedisSendRate>();
        services.AddSingleton<RedisConnectionLeases>();
        services.AddSingleton<RedisSessionEndRelay>();
        services.AddHostedService<SharedStateService>();
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis");

        // The keys that protect the cookie, in one Redis list, under one application name.
        services.AddDataProtection();
        services.AddOptions<KeyManagementOptions>().Configure<IOptions<ChatOptions>, IServiceProvider>(static (keys, chat, provider) =>
        {
            if (IsShared(chat.Value))
            {
                keys.XmlRepository = new RedisXmlRepository(() => provider.GetRequiredService<SharedRedisConnection>().Database, SharedStateKeys.DataProtectionKeys);
            }
        });
        services.AddOptions<DataProtectionOptions>().Configure<IOptions<ChatOptions>>(static (protection, chat) =>
        {
            if (IsShared(chat.Value))
            {
                protection.ApplicationDiscriminator = ApplicationName;
            }
        });

        // The sessions: in Redis, or the store registered before (SQLite or memory).
        var oneNodeSessions = services.Last(static d => d.ServiceType == typeof(ITicketStore));
        services.Remove(oneNodeSessions);
        services.AddSingleton<ITicketStore>(provider => Shared(provider)
            ? ActivatorUtilities.CreateInstance<RedisSessionStore>(provider)
            : Create<ITicketStore>(provider, oneNodeSessions));

        services.Replace(ServiceDescriptor.Singleton(static provider => new PresenceTracker(
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IOptions<ChatOptions>>(),
            Shared(provider) ? provider.GetRequiredService<RedisPresence>() : null)));
        services.Replace(ServiceDescriptor.Singleton(static provider => new SendValidator(
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IOptions<ChatOptions>>(),
            Shared(provider) ? provider.GetRequiredService<RedisSendRate>() : null)));
        services.Replace(ServiceDescriptor.Singleton(static provider => new ConnectionLimiter(
            provider.GetRequiredService<IOptions<ChatOptions>>(),
            Shared(provider) ? provider.GetRequiredService<RedisConnectionLeases>() : null)));
        return services;
    }

    private static bool Shared(IServiceProvider provider) => IsShared(provider.GetRequiredService<IOptions<ChatOptions>>().Value);

    private static T Create<T>(IServiceProvider provider, ServiceDescriptor descriptor) =>
        (T)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(provider)
            ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!));
}
