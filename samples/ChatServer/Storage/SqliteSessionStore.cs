using ChatServer.Auth;
using ChatServer.Chat;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ChatServer.Storage;

/// <summary>Keeps the sessions in the chat's SQLite database (table <c>sessions</c>), so that they survive a restart as
/// the messages do: the cookie carries only a session id (<see cref="CookieAuthenticationOptions.SessionStore"/>), and
/// removing the row at logout ends the session for every copy of the cookie.</summary>
/// <remarks>
/// <para>The same rules as <see cref="MemorySessionStore"/>: a session unused for <see cref="ChatOptions.SessionTimeout"/>
/// is dropped (sliding; its last use is written at most once per <see cref="TouchInterval"/>, to spare a disk write per
/// request), and storing one past <see cref="ChatOptions.MaxSessions"/> ends the least recently used. Expired rows are
/// deleted when a session is stored.</para>
/// <para>A row holds the ticket as ASP.NET Core serializes it (the user name and the session id), not encrypted: the
/// database alone does not let anyone in, since a cookie must be made with the server's Data Protection keys.</para>
/// <para>Thread safety: every member may be called from any thread (the database's lock).</para>
/// </remarks>
public sealed class SqliteSessionStore(SqliteChatDatabase database, TimeProvider time, IOptions<ChatOptions> options) : ITicketStore
{
    /// <summary>How stale a session's recorded last use may get before a use writes it again.</summary>
    public static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    private readonly TimeSpan _timeout = options.Value.SessionTimeout;
    private readonly int _capacity = options.Value.MaxSessions;

    public Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        var id = SessionClaim.NewId();
        var data = TicketSerializer.Default.Serialize(SessionClaim.With(ticket, id));
        var now = time.GetUtcNow();
        database.Use(connection =>
        {
            using var transaction = connection.BeginTransaction();
            Execute(connection, "DELETE FROM sessions WHERE last_use_ticks <= $cutoff;", ("$cutoff", Cutoff(now)));
            // Room for the new one: the least recently used go.
            Execute(connection, "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions ORDER BY last_use_ticks LIMIT max(0, (SELECT count(*) FROM sessions) - $capacity + 1));", ("$capacity", _capacity));
            Execute(connection, "INSERT INTO sessions (id, ticket, last_use_ticks) VALUES ($id, $ticket, $now);", ("$id", id), ("$ticket", data), ("$now", now.UtcTicks));
            transaction.Commit();
            return true;
        });
        return Task.FromResult(id);
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        var data = TicketSerializer.Default.Serialize(SessionClaim.With(ticket, key));
        var now = time.GetUtcNow();
        // A session removed meanwhile (a logout in another tab) stays removed: renewing never brings one back.
        database.Use(connection => Execute(connection, "UPDATE sessions SET ticket = $ticket, last_use_ticks = $now WHERE id = $id AND last_use_ticks > $cutoff;",
            ("$id", key), ("$ticket", data), ("$now", now.UtcTicks), ("$cutoff", Cutoff(now))));
        return Task.CompletedTask;
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        var now = time.GetUtcNow();
        var data = database.Use(connection =>
        {
            using var select = connection.CreateCommand();
            select.CommandText = "SELECT ticket, last_use_ticks FROM sessions WHERE id = $id AND last_use_ticks > $cutoff;";
            select.Parameters.AddWithValue("$id", key);
            select.Parameters.AddWithValue("$cutoff", Cutoff(now));
            using var reader = select.ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }
            var ticket = (byte[])reader.GetValue(0);
            if (now.UtcTicks - reader.GetInt64(1) >= TouchInterval.Ticks)
            {
                Execute(connection, "UPDATE sessions SET last_use_ticks = $now WHERE id = $id;", ("$id", key), ("$now", now.UtcTicks));
            }
            return ticket;
        });
        return Task.FromResult(data is null ? null : TicketSerializer.Default.Deserialize(data));
    }

    public Task RemoveAsync(string key)
    {
        database.Use(connection => Execute(connection, "DELETE FROM sessions WHERE id = $id;", ("$id", key)));
        return Task.CompletedTask;
    }

    private long Cutoff(DateTimeOffset now) => (now - _timeout).UtcTicks;

    private static int Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return command.ExecuteNonQuery();
    }
}
