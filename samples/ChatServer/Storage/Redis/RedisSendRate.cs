using System.Net;
using ChatServer.Chat;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ChatServer.Storage.Redis;

/// <summary>Counts sends against the per-user and per-address rate over every node: one sorted set of recent sends per
/// user and per address, checked and counted by one script (<see cref="SharedStateScripts.CountSend"/>), one round trip.</summary>
/// <remarks>
/// <para>The window slides on Redis's clock, so the nodes' clocks need not agree. Each set expires one window after its
/// last send.</para>
/// <para>The call is synchronous because <see cref="SendValidator.Validate(string?, IPAddress?, string?)"/> is. While
/// Redis is away it answers <see langword="null"/> at once (the connection fails fast), and each node counts alone:
/// a user may then send up to <see cref="ChatOptions.RateLimitCount"/> per window on each node.</para>
/// <para>Thread safety: every member may be called from any thread.</para>
/// </remarks>
public sealed class RedisSendRate(SharedRedisConnection redis, IOptions<ChatOptions> options, ILogger<RedisSendRate> logger) : ISharedSendRate
{
    private readonly ChatOptions _options = options.Value;
    private readonly RedisOutage _outage = new("send rate", "each node counts a user's sends alone until it returns", logger);

    public SharedRateVerdict? TryCount(string user, IPAddress? address)
    {
        ArgumentNullException.ThrowIfNull(user);
        var userKey = SharedStateKeys.UserSends(user);
        try
        {
            var result = (int)redis.Database.ScriptEvaluate(
                SharedStateScripts.CountSend,
                [userKey, address is null ? userKey : SharedStateKeys.AddressSends(address)],
                [(long)_options.RateLimitWindow.TotalMilliseconds, _options.RateLimitCount, address is null ? 0 : _options.AddressRateLimitCount, Guid.NewGuid().ToString("N")]);
            _outage.Succeeded();
            return result switch
            {
                0 => SharedRateVerdict.Allowed,
                1 => SharedRateVerdict.UserLimited,
                _ => SharedRateVerdict.AddressLimited,
            };
        }
        catch (Exception ex) when (RedisFailures.IsUnavailable(ex))
        {
            _outage.Failed(ex);
            return null;
        }
    }
}
