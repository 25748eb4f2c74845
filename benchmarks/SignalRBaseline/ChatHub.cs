using Microsoft.AspNetCore.SignalR;

namespace SignalRBaseline;

/// <summary>The hub: <c>Send(id, text)</c> broadcasts and returns the id, which is the sender's per-message ack.</summary>
public sealed class ChatHub(BaselineRoom room) : Hub
{
    public async Task<Guid> Send(Guid id, string text)
    {
        // The author is the name the connection opened with (?user=), never a field of the call.
        var user = Context.GetHttpContext()?.Request.Query["user"].ToString() ?? string.Empty;
        await room.PublishAsync(id, user, text).ConfigureAwait(false);
        return id;
    }
}
