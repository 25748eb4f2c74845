using ChatServer.Chat;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace ChatServer.Auth;

/// <summary>Keeps the sessions in this process's memory: the cookie carries only a session id
/// (<see cref="CookieAuthenticationOptions.SessionStore"/>), so removing the session at logout ends it for every copy
/// of the cookie.</summary>
/// <remarks>
/// <para>Sessions expire in the store too, sliding: one unused for <see cref="ChatOptions.SessionTimeout"/> is dropped.
/// The store holds at most <see cref="ChatOptions.MaxSessions"/>; storing one more ends the least recently used.
/// Expired sessions are dropped as the store is used (oldest first, each at most once), so no timer runs.</para>
/// <para>Used with the in-memory message store (<c>Chat:Store:Kind=Memory</c>): a restart ends every session, as it
/// loses every message. One process only: several server nodes need a shared <see cref="ITicketStore"/> (e.g. over
/// Redis), registered as the singleton <see cref="ITicketStore"/> instead; it must record the session id in each stored
/// ticket with <see cref="SessionClaim.With"/>, as this one does.</para>
/// <para>Thread safety: every member may be called from any thread.</para>
/// </remarks>
public sealed class MemorySessionStore(TimeProvider time, IOptions<ChatOptions> options) : ITicketStore
{
    private readonly Dictionary<string, LinkedListNode<Session>> _sessions = new(StringComparer.Ordinal);
    // Least recently used first: expiry and eviction take from the front.
    private readonly LinkedList<Session> _byLastUse = new();
    private readonly TimeSpan _timeout = options.Value.SessionTimeout;
    private readonly int _capacity = options.Value.MaxSessions;

    /// <summary>Gets how many sessions the store holds, expired ones not yet dropped included.</summary>
    public int Count
    {
        get
        {
            lock (_sessions)
            {
                return _sessions.Count;
            }
        }
    }

    public Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        var id = SessionClaim.NewId();
        var session = new Session(id, SessionClaim.With(ticket, id), time.GetUtcNow());
        lock (_sessions)
        {
            DropExpired(session.LastUse);
            while (_sessions.Count >= _capacity && _byLastUse.First is { } leastRecent)
            {
                Remove(leastRecent);
            }
            _sessions.Add(id, _byLastUse.AddLast(session));
        }
        return Task.FromResult(id);
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        lock (_sessions)
        {
            // A session removed meanwhile (a logout in another tab) stays removed: renewing never brings one back.
            if (Touch(key) is { } node)
            {
                node.Value.Ticket = SessionClaim.With(ticket, key);
            }
        }
        return Task.CompletedTask;
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        lock (_sessions)
        {
            return Task.FromResult(Touch(key)?.Value.Ticket);
        }
    }

    public Task RemoveAsync(string key)
    {
        lock (_sessions)
        {
            if (_sessions.TryGetValue(key, out var node))
            {
                Remove(node);
            }
        }
        return Task.CompletedTask;
    }

    // Marks the session used now (sliding expiry), or returns null when it is gone or expired.
    private LinkedListNode<Session>? Touch(string key)
    {
        var now = time.GetUtcNow();
        DropExpired(now);
        if (!_sessions.TryGetValue(key, out var node))
        {
            return null;
        }
        node.Value.LastUse = now;
        _byLastUse.Remove(node);
        _byLastUse.AddLast(node);
        return node;
    }

    private void DropExpired(DateTimeOffset now)
    {
        while (_byLastUse.First is { } oldest && now - oldest.Value.LastUse >= _timeout)
        {
            Remove(oldest);
        }
    }

    private void Remove(LinkedListNode<Session> node)
    {
        _byLastUse.Remove(node);
        _sessions.Remove(node.Value.Id);
    }

    private sealed class Session(string id, AuthenticationTicket ticket, DateTimeOffset lastUse)
    {
        public string Id { get; } = id;

        public AuthenticationTicket Ticket { get; set; } = ticket;

        public DateTimeOffset LastUse { get; set; } = lastUse;
    }
}
