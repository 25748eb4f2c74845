using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace ChatServer.Chat;

/// <summary>Counts the open TCP connections of each client address, and closes a connection over
/// <see cref="ChatOptions.MaxConnectionsPerAddress"/> as soon as it is accepted, without an answer — as Kestrel does
/// over its <c>MaxConcurrentConnections</c>.</summary>
/// <remarks>
/// <para>It runs as Kestrel connection middleware (<see cref="Wrap"/>), before any byte is read: so it counts the
/// connections that never send one, the cheapest attack (issue 13: 1,000 idle connections from one client). Closing
/// without an answer works for HTTP and HTTPS alike (the middleware runs before TLS). Connections without an IP
/// address (a Unix socket) are not counted.</para>
/// <para>One warning is logged when an address reaches the limit, not one per refused connection.</para>
/// <para>Thread safety: every member may be called from any thread.</para>
/// </remarks>
public sealed class AddressConnectionLimiter(IOptions<ChatOptions> options, ILogger<AddressConnectionLimiter> logger)
{
    private readonly int _limit = options.Value.MaxConnectionsPerAddress;
    private readonly Dictionary<IPAddress, Entry> _open = [];

    /// <summary>Gets the most connections one address may hold; 0 when the limit is off.</summary>
    public int Limit => _limit;

    /// <summary>Puts the limit in front of a listener's connection pipeline (<c>ListenOptions.Use</c>).</summary>
    /// <param name="next">The rest of the pipeline.</param>
    /// <returns>The pipeline with the limit, or <paramref name="next"/> when the limit is off.</returns>
    public ConnectionDelegate Wrap(ConnectionDelegate next) =>
        _limit <= 0 ? next : connection => OnConnectionAsync(connection, next);

    private async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (ClientAddress.Of(connection.RemoteEndPoint) is not { } address)
        {
            await next(connection);
            return;
        }
        if (!TryAcquire(address))
        {
            connection.Transport.Input.Complete();
            await connection.Transport.Output.CompleteAsync();
            return;
        }
        try
        {
            await next(connection);
        }
        finally
        {
            Release(address);
        }
    }

    private bool TryAcquire(IPAddress address)
    {
        var warn = false;
        lock (_open)
        {
            if (!_open.TryGetValue(address, out var entry))
            {
                entry = new Entry();
                _open.Add(address, entry);
            }
            if (entry.Open < _limit)
            {
                entry.Open++;
                return true;
            }
            if (!entry.Warned)
            {
                entry.Warned = warn = true;
            }
        }
        if (warn)
        {
            ChatLog.TooManyConnectionsFromAddress(logger, address, _limit);
        }
        return false;
    }

    private void Release(IPAddress address)
    {
        lock (_open)
        {
            var entry = _open[address];
            if (--entry.Open == 0)
            {
                _open.Remove(address);
            }
            else
            {
                entry.Warned = false;
            }
        }
    }

    private sealed class Entry
    {
        public int Open { get; set; }

        public bool Warned { get; set; }
    }
}
