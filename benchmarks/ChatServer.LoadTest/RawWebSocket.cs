using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace ChatServer.LoadTest;

/// <summary>The client side of RFC 6455 on a plain TCP socket, as lean as a reader can be: a blocking handshake, then
/// every read done by <see cref="ReadinessLoop"/>'s thread when the socket is readable, with the frames cut out of
/// one buffer in place. Sends are masked, as a client's must be, and written with one blocking <c>send</c>. It speaks
/// <c>ws://</c> only (no TLS) and no extension; a server that closes, pings or sends a message in several frames is
/// answered as the RFC says.</summary>
public sealed class RawWebSocket : IReadinessHandler, IDisposable
{
    private const byte Continuation = 0x0;
    private const byte Text = 0x1;
    private const byte Binary = 0x2;
    private const byte Close = 0x8;
    private const byte Ping = 0x9;
    private const byte Pong = 0xA;
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(30);

    private readonly Socket _socket;
    private readonly int _fileDescriptor;
    private readonly object _sendGate = new();
    // Reads run on the readiness loop's thread, except the first, of bytes that came with the handshake's answer.
    private readonly object _readGate = new();
    private readonly TaskCompletionSource<string> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Action<ReadOnlyMemory<byte>>? _onMessage;
    private byte[] _buffer = new byte[8 * 1024];
    private int _filled;
    // A message whose frames have not all come (FIN unset); rare, so allocated only then.
    private MemoryStream? _fragments;
    private int _registration = -1;
    private bool _closeSent;

    private RawWebSocket(Socket socket)
    {
        _socket = socket;
        _fileDescriptor = (int)socket.SafeHandle.DangerousGetHandle();
    }

    /// <summary>Gets a task that completes, with the reason, once the connection ended: the server's close frame or
    /// the end of the stream.</summary>
    public Task<string> Ended => _ended.Task;

    /// <summary>Connects to <paramref name="uri"/> (<c>ws://</c>) and completes the opening handshake with the extra
    /// request <paramref name="headers"/>. Blocks the calling thread for the handshake, which on loopback takes well
    /// under a millisecond; the socket stays blocking, for its reads only ever follow epoll's word that bytes are
    /// there.</summary>
    public static RawWebSocket Connect(Uri uri, IEnumerable<KeyValuePair<string, string>> headers)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(headers);
        if (uri.Scheme != "ws")
        {
            throw new NotSupportedException($"The lean readers speak ws:// only, not {uri.Scheme}://.");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Connect(uri.IdnHost, uri.Port);
            socket.ReceiveTimeout = (int)HandshakeTimeout.TotalMilliseconds;
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            var request = new StringBuilder()
                .Append($"GET {uri.PathAndQuery} HTTP/1.1\r\n")
                .Append($"Host: {uri.Authority}\r\n")
                .Append("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n")
                .Append($"Sec-WebSocket-Key: {key}\r\n");
            foreach (var (name, value) in headers)
            {
                request.Append($"{name}: {value}\r\n");
            }
            socket.Send(Encoding.ASCII.GetBytes(request.Append("\r\n").ToString()));
            var connection = new RawWebSocket(socket);
            connection.ReadHandshakeResponse(key);
            socket.ReceiveTimeout = 0;
            return connection;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Starts delivering whole messages (text or binary, the frame's payload only) to
    /// <paramref name="onMessage"/>, on the readiness loop's thread, one call at a time. The span is valid only during
    /// the call.</summary>
    public void StartReceiving(Action<ReadOnlyMemory<byte>> onMessage)
    {
        lock (_readGate)
        {
            _onMessage = onMessage;
            _registration = ReadinessLoop.Instance.Add(_fileDescriptor, this);
            // Bytes that came with the handshake's answer were read already: epoll will not report them again.
            Read(receive: false);
        }
    }

    /// <summary>Sends one text message in one masked frame.</summary>
    public void SendText(ReadOnlySpan<byte> payload) => SendFrame(Text, payload);

    /// <summary>Sends the close frame (once); the server's answer ends the connection (see <see cref="Ended"/>).</summary>
    public void SendClose(ushort status, string reason)
    {
        Span<byte> payload = stackalloc byte[2 + Encoding.UTF8.GetByteCount(reason)];
        BinaryPrimitives.WriteUInt16BigEndian(payload, status);
        Encoding.UTF8.GetBytes(reason, payload[2..]);
        lock (_sendGate)
        {
            if (_closeSent)
            {
                return;
            }
            _closeSent = true;
            WriteFrame(Close, payload);
        }
    }

    public void OnReadable()
    {
        lock (_readGate)
        {
            Read(receive: true);
        }
    }

    public void Dispose()
    {
        End("disposed");
        _socket.Dispose();
    }

    // One recv (when asked), then every whole frame delivered; a failure of either ends the connection with its reason
    // rather than the loop's thread.
    private void Read(bool receive)
    {
        if (_ended.Task.IsCompleted)
        {
            return;
        }
        try
        {
            if (receive)
            {
                if (_filled == _buffer.Length)
                {
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                }
                var read = _socket.Receive(_buffer.AsSpan(_filled), SocketFlags.None, out var error);
                if (error != SocketError.Success || read == 0)
                {
                    End(error == SocketError.Success ? "the server closed the connection without a close frame" : $"socket error {error}");
                    return;
                }
                _filled += read;
            }
            Deliver();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            End($"{exception.GetType().Name}: {exception.Message}");
        }
    }

    // Cuts every whole frame out of the buffer, then moves the unfinished tail to its start.
    private void Deliver()
    {
        var start = 0;
        while (TryReadFrame(_buffer.AsSpan(start, _filled - start), out var final, out var opcode, out var headerLength, out var payloadLength))
        {
            var payload = _buffer.AsMemory(start + headerLength, payloadLength);
            start += headerLength + payloadLength;
            if (!OnFrame(final, opcode, payload))
            {
                return;
            }
        }
        if (start > 0)
        {
            _buffer.AsSpan(start, _filled - start).CopyTo(_buffer);
            _filled -= start;
        }
    }

    private bool OnFrame(bool final, byte opcode, ReadOnlyMemory<byte> payload)
    {
        switch (opcode)
        {
            case Text or Binary when final && _fragments is null:
                _onMessage!(payload);
                return true;
            case Text or Binary or Continuation:
                _fragments ??= new MemoryStream();
                _fragments.Write(payload.Span);
                if (final)
                {
                    var whole = _fragments.ToArray();
                    _fragments = null;
                    _onMessage!(whole);
                }
                return true;
            case Ping:
                SendFrame(Pong, payload.Span);
                return true;
            case Close:
                var reason = payload.Length >= 2
                    ? $"closed by the server: {BinaryPrimitives.ReadUInt16BigEndian(payload.Span)} {Encoding.UTF8.GetString(payload.Span[2..])}"
                    : "closed by the server";
                SendClose(1000, "");
                End(reason);
                return false;
            default:
                return true; // a pong: nothing to do
        }
    }

    private void End(string reason)
    {
        var registration = Interlocked.Exchange(ref _registration, -1);
        if (registration >= 0)
        {
            ReadinessLoop.Instance.Remove(registration, _fileDescriptor);
        }
        _ended.TrySetResult(reason);
    }

    private static bool TryReadFrame(ReadOnlySpan<byte> bytes, out bool final, out byte opcode, out int headerLength, out int payloadLength)
    {
        final = false;
        opcode = 0;
        headerLength = payloadLength = 0;
        if (bytes.Length < 2)
        {
            return false;
        }
        final = (bytes[0] & 0x80) != 0;
        opcode = (byte)(bytes[0] & 0x0F);
        if ((bytes[1] & 0x80) != 0)
        {
            throw new InvalidDataException("The server sent a masked frame, which RFC 6455 forbids.");
        }
        long length = bytes[1] & 0x7F;
        headerLength = 2;
        if (length == 126)
        {
            if (bytes.Length < 4)
            {
                return false;
            }
            length = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
            headerLength = 4;
        }
        else if (length == 127)
        {
            if (bytes.Length < 10)
            {
                return false;
            }
            length = BinaryPrimitives.ReadInt64BigEndian(bytes[2..]);
            headerLength = 10;
        }
        if (length > 64 * 1024 * 1024)
        {
            throw new InvalidDataException($"The server sent a frame of {length} bytes.");
        }
        payloadLength = (int)length;
        return bytes.Length >= headerLength + payloadLength;
    }

    private void SendFrame(byte opcode, ReadOnlySpan<byte> payload)
    {
        lock (_sendGate)
        {
            WriteFrame(opcode, payload);
        }
    }

    // Header, mask and masked payload in one buffer and one send; called under the send gate.
    private void WriteFrame(byte opcode, ReadOnlySpan<byte> payload)
    {
        var lengthBytes = payload.Length < 126 ? 0 : payload.Length <= ushort.MaxValue ? 2 : 8;
        var frame = new byte[2 + lengthBytes + 4 + payload.Length];
        frame[0] = (byte)(0x80 | opcode);
        switch (lengthBytes)
        {
            case 0:
                frame[1] = (byte)(0x80 | payload.Length);
                break;
            case 2:
                frame[1] = 0x80 | 126;
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
                break;
            default:
                frame[1] = 0x80 | 127;
                BinaryPrimitives.WriteInt64BigEndian(frame.AsSpan(2), payload.Length);
                break;
        }
        var mask = frame.AsSpan(2 + lengthBytes, 4);
        RandomNumberGenerator.Fill(mask);
        var body = frame.AsSpan(2 + lengthBytes + 4);
        for (var i = 0; i < payload.Length; i++)
        {
            body[i] = (byte)(payload[i] ^ mask[i & 3]);
        }
        _socket.Send(frame);
    }

    // Reads up to the blank line that ends the server's answer and checks that it is the upgrade; keeps what follows.
    private void ReadHandshakeResponse(string key)
    {
        int headerEnd;
        while ((headerEnd = _buffer.AsSpan(0, _filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (_filled == _buffer.Length)
            {
                throw new InvalidDataException("The server's handshake answer is longer than 8 KiB.");
            }
            var read = _socket.Receive(_buffer, _filled, _buffer.Length - _filled, SocketFlags.None);
            if (read == 0)
            {
                throw new IOException("The server closed the connection during the WebSocket handshake.");
            }
            _filled += read;
        }
        var head = Encoding.ASCII.GetString(_buffer, 0, headerEnd);
        var lines = head.Split("\r\n");
        if (!lines[0].StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            throw new IOException($"The server refused the WebSocket: {lines[0]}");
        }
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        if (!lines.Any(line => line.StartsWith("Sec-WebSocket-Accept:", StringComparison.OrdinalIgnoreCase) && line[21..].Trim() == accept))
        {
            throw new IOException("The server's Sec-WebSocket-Accept does not answer the key.");
        }
        var rest = _filled - (headerEnd + 4);
        _buffer.AsSpan(headerEnd + 4, rest).CopyTo(_buffer);
        _filled = rest;
    }
}
