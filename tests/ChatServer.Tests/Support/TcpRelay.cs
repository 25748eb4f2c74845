using System.Net;
using System.Net.Sockets;

namespace ChatServer.Tests.Support;

/// <summary>A TCP relay on a loopback port to another endpoint, that a test can cut (every connection through it is
/// reset, and new ones are refused) and restore: a network partition between one node and Redis, the others unaffected.</summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly List<TcpClient> _open = [];
    private readonly CancellationTokenSource _stop = new();
    private TcpListener? _listener;
    private Task _accepting = Task.CompletedTask;

    private TcpRelay(IPEndPoint target, int port)
    {
        _target = target;
        Port = port;
    }

    /// <summary>Gets the relay's port.</summary>
    public int Port { get; }

    /// <summary>Gets the relay's endpoint as a Redis connection string names it.</summary>
    public string EndPoint => $"127.0.0.1:{Port}";

    public static TcpRelay Start(string target)
    {
        var relay = new TcpRelay(IPEndPoint.Parse(target), ServerProcess.FreePort());
        relay.Restore();
        return relay;
    }

    /// <summary>Resets every connection through the relay and refuses new ones until <see cref="Restore"/>.</summary>
    public async Task CutAsync()
    {
        _listener?.Stop();
        _listener = null;
        await _accepting.ConfigureAwait(false);
        lock (_open)
        {
            foreach (var client in _open)
            {
                // Linger 0: a reset, as when a network path fails, rather than an orderly close. A client whose pump
                // ended has no socket left.
                if (client.Client is { } socket)
                {
                    socket.LingerState = new LingerOption(true, 0);
                }
                client.Dispose();
            }
            _open.Clear();
        }
    }

    /// <summary>Accepts connections again.</summary>
    public void Restore()
    {
        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        _accepting = AcceptAsync(listener);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await CutAsync();
        _stop.Dispose();
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (true)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                return;
            }
            var outbound = new TcpClient();
            try
            {
                await outbound.ConnectAsync(_target);
            }
            catch (SocketException)
            {
                inbound.Dispose();
                outbound.Dispose();
                continue;
            }
            lock (_open)
            {
                _open.Add(inbound);
                _open.Add(outbound);
            }
            _ = PumpAsync(inbound, outbound);
            _ = PumpAsync(outbound, inbound);
        }
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream());
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
            // Cut, or the other side closed.
        }
        finally
        {
            to.Dispose();
        }
    }
}
