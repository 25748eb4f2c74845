using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace ChatServer.Chat;

/// <summary>Counts the open TCP connections, in all and per client address, and closes a connection over
/// <see cref="ChatOptions.MaxConnections"/> or <see cref="ChatOptions.MaxConnectionsPerAddress"/> as soon as it is
/// accepted, without an answer.</summary>
/// <remarks>
/// <para>It runs as Kestrel connection middleware (<see cref="Wrap"/>), before any byte is read: so it counts the
/// connections that never send one, the cheapest attack (issue 13: 1,000 idle connections from one client). Closing
/// without an answer works for HTTP and HTTPS alike (the middleware runs before TLS). A connection counts until it
/// closes, an upgraded one (a WebSocket) included: it keeps its descriptor. (Kestrel's own <c>MaxConcurrentConnections</c>
/// stops counting a connection once it is upgraded, so a server that holds sockets is not bounded by it; it is left
/// unset.) Connections without an IP address (a Unix socket) count in all, not per address.</para>
/// <para>One warning is logged when an address reaches its limit, and one when the server reaches its own, not one
/// per refused connection.</para>
/// <para>Thread safety: every member may be called from any thread.</para>
/// </remarks>
public sealed class TcpConnectionLimiter(IOptions<ChatOptions> options, ILogger<TcpConnectionLimiter> logger)
{
    private readonly int _perAddress = options.Value.MaxConnectionsPerAddress;
    private readonly long _total = options.Value.MaxConnections ?? DescriptorLimit.DefaultMaxConnections() ?? 0;
    private readonly Dictionary<IPAddress, Entry> _open = [];
    private long _openInAll;
    private bool _warnedInAll;

    /// <summary>Gets the most connections one address may hold; 0 when that limit is off.</summary>
    public int PerAddressLimit => _perAddress;

    /// <summary>Gets the most connections the server holds at once; 0 when that limit is off.</summary>
    public long Limit => _total;

    /// <summary>Puts the limits in front of a listener's connection pipeline (<c>ListenOptions.Use</c>).</summary>
    /// <param name="next">The rest of the pipeline.</param>
    /// <returns>The pipeline with the limits, or <paramref name="next"/> when both are off.</returns>
    public ConnectionDelegate Wrap(ConnectionDelegate next) =>
        _perAddress <= 0 && _total <= 0 ? next : connection => OnConnectionAsync(connection, next);

    private async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var address = _perAddress > 0 ? ClientAddress.Of(connection.RemoteEndPoint) : null;
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

    private bool TryAcquire(IPAddress? address)
    {
        bool acquired;
        var (warnAddress, warnInAll) = (false, false);
        lock (_open)
        {
            Entry? entry = null;
            if (_total > 0 && _openInAll >= _total)
            {
                acquired = false;
                warnInAll = !_warnedInAll;
                _warnedInAll = true;
            }
            else if (address is not null && (entry = EntryOf(address)).Open >= _perAddress)
            {
                acquired = false;
                warnAddress = !entry.Warned;
                entry.Warned = true;
            }
            else
            {
                acquired = true;
                _openInAll++;
                if (entry is not null)
                {
                    entry.Open++;
                }
            }
        }
        if (warnInAll)
        {
            ChatLog.TooManyConnectionsInAll(logger, _total);
        }
        if (warnAddress)
        {
            ChatLog.TooManyConnectionsFromAddress(logger, address!, _perAddress);
        }
        return acquired;
    }

    // Under the lock.
    private Entry EntryOf(IPAddress address)
    {
        if (!_open.TryGetValue(address, out var entry))
        {
            entry = new Entry();
            _open.Add(address, entry);
        }
        return entry;
    }

    private void Release(IPAddress? address)
    {
        lock (_open)
        {
            _openInAll--;
            _warnedInAll = false;
            if (address is null)
            {
                return;
            }
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
