using System.Net.Sockets;
using System.Text;

namespace ChatServer.Tests.BadInput;

/// <summary>HTTP/1.1 by hand over TCP: to send what no well-behaved client sends (an upgrade without Origin, a
/// request that never ends) and read exactly what the server answers.</summary>
public static class RawHttp
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    /// <summary>A WebSocket upgrade request for <paramref name="path"/>, with the given extra header lines.</summary>
    public static string Upgrade(Uri host, string path, params string[] headers) =>
        $"GET {path} HTTP/1.1\r\nHost: {host.Authority}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + string.Concat(headers.Select(h => h + "\r\n")) + "\r\n";

    /// <summary>Sends <paramref name="request"/> (complete or not) and reads until the server closes the connection.</summary>
    /// <returns>Everything the server sent before it closed.</returns>
    public static async Task<string> SendAndReadUntilClosedAsync(Uri host, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(host.Host, host.Port).WaitAsync(Guard);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request)).AsTask().WaitAsync(Guard);
        using var response = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Guard)) > 0)
        {
            response.Write(buffer, 0, read);
        }
        return Encoding.ASCII.GetString(response.ToArray());
    }
}
