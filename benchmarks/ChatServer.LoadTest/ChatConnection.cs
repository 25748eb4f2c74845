using System.Text;
using System.Text.Json;

namespace ChatServer.LoadTest;

/// <summary>A lean client of the chat protocol (docs/protocol.md): edits out, and a scan of each frame for what the load
/// counts (message texts, alone or in a `messages` batch; acks; rejects) without building objects.</summary>
public sealed class ChatConnection : LeanConnection
{
    private readonly Action<int, ReadOnlyMemory<byte>>? _onFrame;

    private ChatConnection(RawWebSocket socket, int client, ILoadSink sink, Action<int, ReadOnlyMemory<byte>>? onFrame)
        : base(socket, client, sink) => _onFrame = onFrame;

    public static async Task<ChatConnection> OpenAsync(Uri server, int client, string? cookie, ILoadSink sink, Action<int, ReadOnlyMemory<byte>>? onFrame, CancellationToken cancellationToken)
    {
        var socket = await ConnectAsync(SocketUri(server, "/chat/ws"), cookie, cancellationToken);
        var connection = new ChatConnection(socket, client, sink, onFrame);
        connection.StartReceiving();
        return connection;
    }

    public override async Task<Guid> SendAsync(string text)
    {
        var id = Guid.NewGuid();
        await SendEditAsync(id, 1, text);
        return id;
    }

    /// <summary>Sends attempt <paramref name="attempt"/> of the send <paramref name="id"/> (a resend keeps the id and
    /// the text, as the library's client does).</summary>
    public Task SendEditAsync(Guid id, int attempt, string text) =>
        SendFrameAsync(Encoding.UTF8.GetBytes($$"""{"type":"edit","id":"{{id}}","attempt":{{attempt}},"command":{"text":""" + JsonSerializer.Serialize(text) + "}}"));

    protected override void OnMessage(ReadOnlyMemory<byte> message)
    {
        _onFrame?.Invoke(Client, message);
        Dispatch(message.Span);
    }

    // Reads "type", then "payload.text" (message), each "payload.messages[].text" (messages), "id" (ack, reject) and
    // "code" (reject) at their depths only. The server writes "type" first, so a batch's texts are told as they are met.
    private void Dispatch(ReadOnlySpan<byte> frame)
    {
        var reader = new Utf8JsonReader(frame);
        string? type = null, id = null, code = null;
        ReadOnlySpan<byte> text = default;
        var hasText = false;
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
                type = reader.ValueTextEquals("message"u8) ? "message"
                    : reader.ValueTextEquals("messages"u8) ? "messages"
                    : reader.ValueTextEquals("ack"u8) ? "ack"
                    : reader.ValueTextEquals("reject"u8) ? "reject"
                    : null;
                if (type is null)
                {
                    return;
                }
            }
            else if (depth == 1 && reader.ValueTextEquals("payload"u8))
            {
                inPayload = true;
            }
            else if (depth == 2 && inPayload && type == "messages" && reader.ValueTextEquals("messages"u8))
            {
                // Into the array: its messages' fields are at depth 4.
            }
            else if (depth == 4 && inPayload && type == "messages" && reader.ValueTextEquals("text"u8))
            {
                reader.Read();
                Sink.OnMessage(Client, Utf8Value(ref reader));
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
                text = Utf8Value(ref reader);
                hasText = true;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        switch (type)
        {
            case "message" when hasText:
                Sink.OnMessage(Client, text);
                break;
            case "ack" when id is not null:
                Sink.OnAck(Guid.Parse(id));
                break;
            case "reject" when id is not null:
                Sink.OnReject(Guid.Parse(id), code ?? "?");
                break;
        }
    }
}
