using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace ChatServer.Tests.Support;

/// <summary>A WebSocket opened by hand over a TCP socket whose reading the test controls: after the upgrade it reads
/// nothing and answers nothing (no pong, no close) until <see cref="DrainAsync"/> is called. A silent or stalled peer.</summary>
public sealed class RawTcpWebSocket : IAsyncDisposable
{
    private readonly Socket _socket;

    private RawTcpWebSocket(Socket socket) => _socket = socket;

    /// <summary>Connects with <paramref name="user"/>'s cookie and a small receive buffer, and completes the upgrade.</summary>
    public static async Task<RawTcpWebSocket> ConnectAsync(TestUser user, int receiveBufferSize = 4096)
    {
        var uri = user.SocketUri;
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            // Set before connecting, so that the TCP window offered to the server stays small.
            ReceiveBufferSize = receiveBufferSize,
        };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, uri.Port)).WaitAsync(TimeSpan.FromSeconds(10));
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var cookie = user.Cookies.GetCookieHeader(new Uri($"http://127.0.0.1:{uri.Port}/"));
        var request =
            $"GET {uri.PathAndQuery} HTTP/1.1\r\nHost: 127.0.0.1:{uri.Port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: {ChatHost.TestOrigin}\r\nCookie: {cookie}\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        // Read the response head byte by byte, so that no frame after it is consumed.
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await socket.ReceiveAsync(one).WaitAsync(TimeSpan.FromSeconds(10)) == 0)
            {
                throw new InvalidOperationException($"The server closed the connection during the upgrade: {head}");
            }
            head.Append((char)one[0]);
        }
        return head.ToString().StartsWith("HTTP/1.1 101", StringComparison.Ordinal)
            ? new RawTcpWebSocket(socket)
            : throw new InvalidOperationException($"The upgrade was refused: {head}");
    }

    /// <summary>Reads everything the server sent until it ended the connection (close, reset or end of stream), or
    /// with <paramref name="untilCloseFrame"/> until its close frame arrived, and returns how many frames arrived and
    /// the close status, if a close frame was among them.</summary>
    public async Task<(int Frames, int? CloseStatus)> DrainAsync(bool untilCloseFrame = false)
    {
        using var data = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await _socket.ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(30))) > 0)
            {
                data.Write(buffer, 0, read);
                if (untilCloseFrame && Parse(data.GetBuffer().AsSpan(0, (int)data.Length)).CloseStatus is not null)
                {
                    break;
                }
            }
        }
        catch (SocketException)
        {
            // A reset: the server aborted the connection. What arrived before it is parsed below.
        }
        return Parse(data.ToArray());
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    // Server frames are unmasked: opcode in the low bits of byte 0; length 7 bits, or 16 or 64 bits after 126 or 127.
    private static (int Frames, int? CloseStatus) Parse(ReadOnlySpan<byte> data)
    {
        var frames = 0;
        int? closeStatus = null;
        while (data.Length >= 2)
        {
            var opcode = data[0] & 0x0F;
            long length = data[1] & 0x7F;
            var offset = 2;
            if (length == 126)
            {
                if (data.Length < 4)
                {
                    break;
                }
                length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
                offset = 4;
            }
            else if (length == 127)
            {
                if (data.Length < 10)
                {
                    break;
                }
                length = (long)BinaryPrimitives.ReadUInt64BigEndian(data[2..]);
                offset = 10;
            }
            if (data.Length < offset + length)
            {
                break;
            }
            frames++;
            if (opcode == 0x8 && length >= 2)
            {
                closeStatus = BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
            }
            data = data[(int)(offset + length)..];
        }
        return (frames, closeStatus);
    }
}
