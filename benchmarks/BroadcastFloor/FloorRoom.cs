namespace BroadcastFloor;

/// <summary>Every open socket, and the one order in which frames are posted to them.</summary>
public sealed class FloorRoom
{
    // One gate for joins, leaves and broadcasts: a frame goes to every outbox before the next one does, so that
    // every socket sees the same order (the chat and the SignalR baseline hold a gate for the same reason).
    private readonly Lock _gate = new();
    private readonly List<FloorSocket> _sockets = [];

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
    /// sender, which therefore sees its message before its ack.</summary>
    public void Broadcast(byte[] frame, FloorSocket sender, byte[] ack)
    {
        lock (_gate)
        {
            foreach (var socket in _sockets)
            {
                socket.Post(frame);
            }
            sender.Post(ack);
        }
    }
}
