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

    // "ack" (to the sender) or "text" (every socket, the sender's own message included) at depth 1, or each "text" at
    // depth 3 of a "batch" (the floor's batch window).
    protected override void OnMessage(ReadOnlyMemory<byte> message)
    {
        var reader = new Utf8JsonReader(message.Span);
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }
            var depth = reader.CurrentDepth;
            if (depth == 1 && reader.ValueTextEquals("ack"u8))
            {
                reader.Read();
                Sink.OnAck(reader.GetGuid());
                return;
            }
            if (depth == 1 && reader.ValueTextEquals("text"u8))
            {
                reader.Read();
                Sink.OnMessage(Client, Utf8Value(ref reader));
                return;
            }
            if (depth == 1 && reader.ValueTextEquals("batch"u8))
            {
                continue; // into the array: its frames' fields are at depth 3
            }
            if (depth == 3 && reader.ValueTextEquals("text"u8))
            {
                reader.Read();
                Sink.OnMessage(Client, Utf8Value(ref reader));
                continue;
            }
            reader.Read();
            reader.Skip();
        }
    }
}
