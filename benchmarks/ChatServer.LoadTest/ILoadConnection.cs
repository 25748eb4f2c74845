namespace ChatServer.LoadTest;

/// <summary>One open client connection of the load.</summary>
public interface ILoadConnection : IAsyncDisposable
{
    /// <summary>Sends one message as an edit; its ack arrives at the sink later, maybe before this returns. Completes
    /// when the send is handed over, not when it is acked (the load is open-loop).</summary>
    /// <returns>The edit id, which the ack names.</returns>
    Task<Guid> SendAsync(string text);
}
