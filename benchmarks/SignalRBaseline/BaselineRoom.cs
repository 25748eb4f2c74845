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
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var message = new ChatMessage(id, user, text, DateTimeOffset.UtcNow, ++_sequence);
            // Awaited before the hub method returns, so the sender gets the message before its ack (the completion).
            await hub.Clients.All.SendAsync("message", message).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
