using Microsoft.AspNetCore.SignalR;

namespace SignalRBaseline;

/// <summary>The one room: numbers messages and broadcasts them in that order, like the chat sample's room.</summary>
public sealed class BaselineRoom(IHubContext<ChatHub> hub) : IDisposable
{
    // One at a time: the sequence number and the broadcast happen together, so every connection sees the same order
    // (the chat sample posts to every outbox under one lock for the same reason).
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _sequence;

    public async Task PublishAsync(Guid id, string user, string text)
    {
        Task broadcast;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var message = new ChatMessage(id, user, text, DateTimeOffset.UtcNow, ++_sequence);
            // SendAsync queues the frame on every connection (each connection's writes are ordered) before it returns;
            // only the queueing needs the gate, not the flushes, so the next message need not wait for slow readers.
            broadcast = hub.Clients.All.SendAsync("message", message);
        }
        finally
        {
            _gate.Release();
        }
        // Awaited before the hub method returns, so the sender gets the message before its ack (the completion).
        await broadcast.ConfigureAwait(false);
    }

    public void Dispose() => _gate.Dispose();
}
