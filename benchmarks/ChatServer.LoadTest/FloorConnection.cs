using System.Text;
using System.Text.Json;

namespace ChatServer.LoadTest;

/// <summary>A lean client of the broadcast floor (benchmarks/BroadcastFloor): sends <c>{"id":…,"text":…}</c>, which
/// the floor broadcasts as it is; <c>{"ack":…}</c> comes back to the sender. The floor has no fuller client, so its
/// senders are lean too.</summary>
public sealed class FloorConnection : LeanConnection
{
    private FloorConnection(RawWebSocket socket, int client, ILoadSink sink)
        : base(socket, client, sink)
    {
    }

    public static async Task<FloorConnection> OpenAsync(Uri server, int client, ILoadSink sink, CancellationToken cancellationToken)
    {
        var socket = await ConnectAsync(SocketUri(server, "/ws"), cookie: null, cancellationToken);
        var connection = new FloorConnection(socket, client, sink);
        connection.StartReceiving();
        return connection;
    }

    public override async Task<Guid> SendAsync(string text)
    {
        var id = Guid.NewGuid();
        await SendFrameAsync(Encoding.UTF8.GetBytes($$"""{"id":"{{id}}","text":""" + JsonSerializer.Serialize(text) + "}"));
        return id;
    }

    // Depth 1 only: "ack" (to the sender) or "text" (every socket, the sender's own message included).
    protected override void OnMessage(ReadOnlyMemory<byte> message)
    {
        var reader = new Utf8JsonReader(message.Span);
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1)
            {
                continue;
            }
            if (reader.ValueTextEquals("ack"u8))
            {
                reader.Read();
                Sink.OnAck(reader.GetGuid());
                return;
            }
            if (reader.ValueTextEquals("text"u8))
            {
                reader.Read();
                Sink.OnMessage(Client, Utf8Value(ref reader));
                return;
            }
            reader.Read();
            reader.Skip();
        }
    }
}
