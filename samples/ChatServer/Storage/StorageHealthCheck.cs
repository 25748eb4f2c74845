using ChatServer.Chat;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ChatServer.Storage;

/// <summary>Reports whether the store can keep what it acknowledges: Unhealthy with the reason while its database file
/// is gone or replaced, or its disk is full (see <see cref="SqliteChatDatabase.CheckFault"/>). Each check looks at the files
/// again, so a deletion shows here even before the next send.</summary>
internal sealed class StorageHealthCheck(IServiceProvider services, IOptions<ChatOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        switch (options.Value.Store.Kind)
        {
            case StoreKind.Memory:
                return Task.FromResult(HealthCheckResult.Healthy("in memory"));
            case StoreKind.Redis:
                // Reported by the "redis" check (RedisHealthCheck), which covers the rest of the shared state too.
                return Task.FromResult(HealthCheckResult.Healthy("in Redis"));
        }
        var fault = services.GetRequiredService<SqliteChatDatabase>().CheckFault();
        return Task.FromResult(fault is null ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(fault.Reason));
    }
}
