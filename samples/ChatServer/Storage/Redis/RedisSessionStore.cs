using ChatServer.Auth;
using ChatServer.Chat;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ChatServer.Storage.Redis;

/// <summary>Keeps the sessions in Redis, shared by every node: the cookie carries only a session id
/// (<see cref="CookieAuthenticationOptions.SessionStore"/>), so a cookie made on one node authenticates on every node,
/// and removing the session at logout ends it on all of them.</summary>
/// <remarks>
/// <para>A session is one string key holding the ticket as ASP.NET Core serializes it (the user name and the session
/// id), with a Redis expiry of <see cref="ChatOptions.SessionTimeout"/> renewed by each use (sliding: one read, <c>GETEX</c>).
/// Redis drops an unused session itself, so <see cref="ChatOptions.MaxSessions"/> is not applied: the sessions are
/// bounded by the logins of one timeout.</para>
/// <para>A logout also publishes the session id on <see cref="SharedStateKeys.SessionEnded"/>, so that every node closes
/// the sockets the session authenticated there (<see cref="RedisSessionEndRelay"/>).</para>
/// <para>While Redis is away every member throws <see cref="StorageUnavailableException"/>: a request with a cookie fails
/// (500) rather than passing as anonymous or as a session that may have ended.</para>
/// <para>Thread safety: every member may be called from any thread, on any number of nodes at once.</para>
/// </remarks>
public sealed class RedisSessionStore(SharedRedisConnection redis, IOptions<ChatOptions> options) : ITicketStore
{
    private readonly TimeSpan _timeout = options.Value.SessionTimeout;

    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        var id = SessionClaim.NewId();
        var data = TicketSerializer.Default.Serialize(SessionClaim.With(ticket, id));
        await RedisFailures.UnlessUnavailableAsync(() => redis.Database.StringSetAsync(SharedStateKeys.Session(id), data, _timeout), "storing a session");
        return id;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        var data = TicketSerializer.Default.Serialize(SessionClaim.With(ticket, key));
        // A session removed meanwhile (a logout on any node) stays removed: renewing never brings one back.
        return RedisFailures.UnlessUnavailableAsync(
            () => redis.Database.StringSetAsync(SharedStateKeys.Session(key), data, _timeout, When.Exists), "renewing a session");
    }

    public async Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        var data = await RedisFailures.UnlessUnavailableAsync(
            () => redis.Database.StringGetSetExpiryAsync(SharedStateKeys.Session(key), _timeout), "reading a session");
        return data.IsNull ? null : TicketSerializer.Default.Deserialize((byte[])data!);
    }

    public async Task RemoveAsync(string key)
    {
        await RedisFailures.UnlessUnavailableAsync(() => redis.Database.KeyDeleteAsync(SharedStateKeys.Session(key)), "removing a session");
        // Removed first: a node told of the end and looking the session up again finds it gone.
        await RedisFailures.UnlessUnavailableAsync(() => redis.Database.PublishAsync(SharedStateKeys.SessionEnded, key), "announcing a logout");
    }
}
