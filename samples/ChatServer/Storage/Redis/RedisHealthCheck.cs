using ChatServer.Chat;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ChatServer.Storage.Redis;

/// <summary>Reports whether this node reaches the Redis of <c>Chat:Redis</c> (a PING), and what the node does while it
/// does not. Healthy with "not used" when the node shares nothing.</summary>
/// <remarks>Redis away is <see cref="HealthStatus.Degraded"/> (still 200 on <c>/health</c>), not Unhealthy: every node
/// loses it at once, and a load balancer that took them all out would refuse the joiners a node still serves (its recent
/// messages) and the reconnects whose pending sends it keeps for when Redis returns.</remarks>
internal sealed class RedisHealthCheck(IServiceProvider services, IOptions<ChatOptions> options) : IHealthCheck
{
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        if (!SharedStateServices.IsShared(options.Value))
        {
            return HealthCheckResult.Healthy("not used");
        }
        try
        {
            await services.GetRequiredService<SharedRedisConnection>().Database.PingAsync().WaitAsync(PingTimeout, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (RedisFailures.IsUnavailable(ex) || ex is TimeoutException)
        {
            var meanwhile = options.Value.Store.Kind == StoreKind.Redis
                ? "sends, edits and deletions stay pending until it is back; joiners get this node's recent messages"
                : "presence, limits and logins of other nodes are not seen until it is back";
            return HealthCheckResult.Degraded($"Redis is unavailable ({ex.GetType().Name}): {meanwhile}.");
        }
    }
}
