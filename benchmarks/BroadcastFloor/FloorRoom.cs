using System.Buffers;
using Microsoft.Extensions.Options;

namespace BroadcastFloor;

/// <summary>Every open socket, and the one order in which frames are posted to them.</summary>
public sealed class FloorRoom : IDisposable
{
    // One gate for joins, leaves and broadcasts: a frame goes to every outbox before the next one does, so that
    // every socket sees the same order (the chat and the SignalR baseline hold a gate for the same reason).
    private readonly Lock _gate = new();
    private readonly List<FloorSocket> _sockets = [];
    // With a batch window: the frames waiting for the next broadcast, when the last one began, and its timer.
    private readonly List<(byte[] Frame, FloorSocket Sender, byte[] Ack)> _waiting = [];
    private readonly TimeSpan _window;
    private readonly ITimer _timer;
    private long _lastBroadcast = long.MinValue;
    private bool _scheduled;

    public FloorRoom(IOptions<FloorOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _window = options.Value.BatchWindow;
        _timer = TimeProvider.System.CreateTimer(static room => ((FloorRoom)room!).OnWindowEnd(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public async Task AcceptAsync(HttpContext context, bool coalesce)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        using var webSocket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var grouping = coalesce ? context.Features.Get<WriteGroupingUpgrade>()?.Stream : null;
        var socket = new FloorSocket(webSocket, grouping);
        lock (_gate)
        {
            _sockets.Add(socket);
        }
        try
        {
            await socket.RunAsync(this).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _sockets.Remove(socket);
            }
        }
    }

    /// <summary>Posts <paramref name="frame"/> (the same array) to every socket, then <paramref name="ack"/> to its
    /// sender, which therefore sees its message before its ack. With a batch window, a frame that arrives within it after
    /// the last broadcast began waits and goes with the others that arrive meanwhile.</summary>
    public void Broadcast(byte[] frame, FloorSocket sender, byte[] ack)
    {
        lock (_gate)
        {
            _waiting.Add((frame, sender, ack));
            if (_scheduled)
            {
                return;
            }
            var wait = _window <= TimeSpan.Zero || _lastBroadcast == long.MinValue
                ? TimeSpan.Zero
                : _window - TimeProvider.System.GetElapsedTime(_lastBroadcast);
            if (wait > TimeSpan.Zero)
            {
                _scheduled = true;
                _timer.Change(wait, Timeout.InfiniteTimeSpan);
                return;
            }
            BroadcastWaiting();
        }
    }

    public void Dispose() => _timer.Dispose();

    private void OnWindowEnd()
    {
        lock (_gate)
        {
            _scheduled = false;
            BroadcastWaiting();
        }
    }

    // Under the gate: one frame for everything waiting (the frame itself when it is alone), then the acks in order.
    private void BroadcastWaiting()
    {
        _lastBroadcast = TimeProvider.System.GetTimestamp();
        var frame = _waiting.Count == 1 ? _waiting[0].Frame : Batch(_waiting);
        foreach (var socket in _sockets)
        {
            socket.Post(frame);
        }
        foreach (var (_, sender, ack) in _waiting)
        {
            sender.Post(ack);
        }
        _waiting.Clear();
    }

    // {"batch":[frame,frame,…]}: the received frames are JSON objects, put in the array as they are.
    private static byte[] Batch(List<(byte[] Frame, FloorSocket Sender, byte[] Ack)> waiting)
    {
        var batch = new ArrayBufferWriter<byte>();
        batch.Write("{\"batch\":["u8);
        for (var i = 0; i < waiting.Count; i++)
        {
            if (i > 0)
            {
                batch.Write(","u8);
            }
            batch.Write(waiting[i].Frame);
        }
        batch.Write("]}"u8);
        return batch.WrittenSpan.ToArray();
    }
}
