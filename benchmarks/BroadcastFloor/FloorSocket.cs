using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;

namespace BroadcastFloor;

/// <summary>One socket: a receive loop that turns each text frame into a broadcast and an ack, and a send loop that
/// drains a bounded outbox (the chat's shape: 1,024 frames, and an overflow ends the connection).</summary>
public sealed class FloorSocket
{
    private const int OutboxCapacity = 1024;
    private const int MaxFrameBytes = 4096;

    private readonly WebSocket _webSocket;
    private readonly WriteGroupingStream? _grouping;
    private readonly Channel<byte[]> _outbox = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(OutboxCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    public FloorSocket(WebSocket webSocket, WriteGroupingStream? grouping)
    {
        _webSocket = webSocket;
        _grouping = grouping;
    }

    /// <summary>Queues a frame; a full outbox aborts the socket (the reader is too slow to keep).</summary>
    public void Post(byte[] frame)
    {
        if (!_outbox.Writer.TryWrite(frame) && _outbox.Writer.TryComplete())
        {
            _webSocket.Abort();
        }
    }

    public async Task RunAsync(FloorRoom room)
    {
        ArgumentNullException.ThrowIfNull(room);
        var sending = SendLoopAsync();
        var closeStatus = WebSocketCloseStatus.NormalClosure;
        try
        {
            closeStatus = await ReceiveLoopAsync(room).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
            // Aborted or gone: a normal disconnect.
        }
        _outbox.Writer.TryComplete();
        await sending.ConfigureAwait(false);
        if (_webSocket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _webSocket.CloseOutputAsync(closeStatus, null, timeout.Token).ConfigureAwait(false);
                if (_grouping is not null)
                {
                    await _grouping.EndGroupAsync().ConfigureAwait(false);
                }
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or IOException)
            {
                _webSocket.Abort();
            }
        }
    }

    private async Task<WebSocketCloseStatus> ReceiveLoopAsync(FloorRoom room)
    {
        while (true)
        {
            // Wait without a buffer, as the chat and SignalR's transport do: an idle socket holds none.
            var peek = await _webSocket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
            if (peek.MessageType == WebSocketMessageType.Close)
            {
                return WebSocketCloseStatus.NormalClosure;
            }
            var buffer = ArrayPool<byte>.Shared.Rent(MaxFrameBytes);
            try
            {
                var count = 0;
                while (true)
                {
                    if (count == MaxFrameBytes)
                    {
                        return WebSocketCloseStatus.MessageTooBig;
                    }
                    var result = await _webSocket.ReceiveAsync(buffer.AsMemory(count, MaxFrameBytes - count), CancellationToken.None).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return WebSocketCloseStatus.NormalClosure;
                    }
                    count += result.Count;
                    if (result.EndOfMessage)
                    {
                        break;
                    }
                }
                if (count == 0)
                {
                    continue;
                }
                var frame = buffer.AsSpan(0, count);
                if (!TryAck(frame, out var ack))
                {
                    return WebSocketCloseStatus.InvalidPayloadData;
                }
                // Encoded once: the received bytes are the frame every socket gets.
                room.Broadcast(frame.ToArray(), this, ack);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    // A frame is {"id":"…",…}: the id, read as the first property and nothing further, is echoed as {"ack":"…"}.
    private static bool TryAck(ReadOnlySpan<byte> frame, out byte[] ack)
    {
        var reader = new Utf8JsonReader(frame);
        if (reader.Read() && reader.TokenType == JsonTokenType.StartObject
            && reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("id"u8)
            && reader.Read() && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
        {
            ack = [.. "{\"ack\":\""u8, .. reader.ValueSpan, .. "\"}"u8];
            return true;
        }
        ack = [];
        return false;
    }

    private async Task SendLoopAsync()
    {
        var outbox = _outbox.Reader;
        try
        {
            while (await outbox.WaitToReadAsync().ConfigureAwait(false))
            {
                // Several frames waiting, and coalescing on: write them all into the stream's buffer, then flush once.
                // The group is the frames waiting now; later ones start the next group.
                var waiting = outbox.Count;
                var group = _grouping is not null && waiting > 1;
                if (group)
                {
                    await _grouping!.BeginGroupAsync().ConfigureAwait(false);
                }
                while ((!group || waiting-- > 0) && outbox.TryRead(out var frame))
                {
                    await _webSocket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                }
                if (group)
                {
                    await _grouping!.EndGroupAsync().ConfigureAwait(false);
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The socket is gone; the receive loop ends too.
            _webSocket.Abort();
        }
    }
}
