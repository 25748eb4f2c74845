namespace ChatServer.LoadTest;

/// <summary>Receives what every load connection sees; called from each connection's receive loop.</summary>
public interface ILoadSink
{
    void OnMessage(int client, string text);

    /// <summary>A message's text as the lean readers find it in a frame, in UTF-8, valid only during the call.</summary>
    void OnMessage(int client, ReadOnlySpan<byte> utf8Text) => OnMessage(client, System.Text.Encoding.UTF8.GetString(utf8Text));

    void OnAck(Guid id);

    void OnReject(Guid id, string code);

    /// <summary>The connection ended without being asked to (server close, abort, overflow).</summary>
    void OnClosed(int client, string reason);
}
