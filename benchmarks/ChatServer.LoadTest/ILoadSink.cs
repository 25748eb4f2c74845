namespace ChatServer.LoadTest;

/// <summary>Receives what every load connection sees; called from each connection's receive loop.</summary>
public interface ILoadSink
{
    void OnMessage(int client, string text);

    void OnAck(Guid id);

    void OnReject(Guid id, string code);

    /// <summary>The connection ended without being asked to (server close, abort, overflow).</summary>
    void OnClosed(int client, string reason);
}
