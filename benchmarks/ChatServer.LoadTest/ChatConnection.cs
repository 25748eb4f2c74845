using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace ChatServer.LoadTest;

/// <summary>A lean client of the chat protocol (docs/protocol.md): a ClientWebSocket, edits out, and a scan of each
/// frame for what the load counts (message texts, acks, rejects) without building objects.</summary>
public sealed class ChatConnection : ILoadConnection
{
    private readonly ClientWebSocket _socket;
    private readonly int _client;
    private readonly ILoadSink _sink;
    private readonly Action<int, ReadOnlyMemory<byte>>? _onFrame;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private Task _receiving = Task.CompletedTask;

    private ChatConnection(ClientWebSocket socket, int client, ILoadSink sink, Action<int, ReadOnlyMemory<byte>>? onFrame)
    {
        _socket = socket;
        _client = client;
        _sink = sink;
        _onFrame = onFrame;
    }

    public static async Task<ChatConnection> OpenAsync(Uri server, int client, string? cookie, ILoadSink sink, Action<int, ReadOnlyMemory<byte>>? onFrame, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        // The server checks the Origin against Chat:AllowedOrigins, to which it adds its own URLs.
        socket.Options.SetRequestHeader("Origin", server.GetLeftPart(UriPartial.Authority));
        if (cookie is not null)
        {
            socket.Options.SetRequestHeader("Cookie", cookie);
        }
        var uri = new UriBuilder(server) { Scheme = server.Scheme == "https" ? "wss" : "ws", Path = "/chat/ws" }.Uri;
        try
        {
            await socket.ConnectAsync(uri, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var connection = new ChatConnection(socket, client, sink, onFrame);
        connection._receiving = Task.Run(connection.ReceiveLoopAsync, CancellationToken.None);
        return connection;
    }

    public async Task<Guid> SendAsync(string text)
    {
        var id = Guid.NewGuid();
        var frame = Encoding.UTF8.GetBytes($$"""{"type":"edit","id":"{{id}}","attempt":1,"command":{"text":""" + JsonSerializer.Serialize(text) + "}}");
        await _sendGate.WaitAsync();
        try
        {
            await _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, _stop.Token);
        }
        finally
        {
            _sendGate.Release();
        }
        return id;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "load test done", timeout.Token);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Already closing: nothing more to say.
        }
        try
        {
            await _receiving.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            _socket.Abort();
        }
        _socket.Dispose();
        _stop.Dispose();
        _sendGate.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        string? endReason = null;
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer.GetMemory(8 * 1024), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    endReason = $"closed by the server: {_socket.CloseStatus} {_socket.CloseStatusDescription}";
                    if (!_stop.IsCancellationRequested)
                    {
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    }
                    break;
                }
                buffer.Advance(result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }
                _onFrame?.Invoke(_client, buffer.WrittenMemory);
                Dispatch(buffer.WrittenSpan);
                buffer.ResetWrittenCount();
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            endReason = exception.Message;
        }
        if (!_stop.IsCancellationRequested)
        {
            _sink.OnClosed(_client, endReason ?? "ended");
        }
    }

    // Reads "type", then "payload.text" (message), "id" (ack, reject) and "code" (reject) at their depths only.
    private void Dispatch(ReadOnlySpan<byte> frame)
    {
        var reader = new Utf8JsonReader(frame);
        string? type = null, text = null, id = null, code = null;
        var inPayload = false;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }
            var depth = reader.CurrentDepth;
            if (depth == 1 && reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = reader.GetString();
                if (type is not ("message" or "ack" or "reject"))
                {
                    return;
                }
            }
            else if (depth == 1 && reader.ValueTextEquals("payload"u8))
            {
                inPayload = true;
            }
            else if (depth == 1 && reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                id = reader.GetString();
            }
            else if (depth == 1 && reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                code = reader.GetString();
            }
            else if (depth == 2 && inPayload && reader.ValueTextEquals("text"u8))
            {
                reader.Read();
                text = reader.GetString();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        switch (type)
        {
            case "message" when text is not null:
                _sink.OnMessage(_client, text);
                break;
            case "ack" when id is not null:
                _sink.OnAck(Guid.Parse(id));
                break;
            case "reject" when id is not null:
                _sink.OnReject(Guid.Parse(id), code ?? "?");
                break;
        }
    }
}
