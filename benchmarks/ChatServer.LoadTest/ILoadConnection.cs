namespace ChatServer.LoadTest;

/// <summary>One open client connection of the load.</summary>
public interface ILoadConnection : IAsyncDisposable
{
    /// <summary>Sends one message as an edit with id <paramref name="id"/>; its ack arrives at the sink later. Completes
    /// when the frame is written, not when it is acked (the load is open-loop).</summary>
    Task SendAsync(Guid id, string text);
}
