using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatServer.Tests.Support;

/// <summary>A WebSocket that speaks the protocol by hand, frame by frame, to check the wire itself.</summary>
public sealed class RawSocket(ClientWebSocket socket) : IAsyncDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    public ClientWebSocket Socket { get; } = socket;

    /// <summary>Every frame received so far, in order.</summary>
    public List<JsonObject> Received { get; } = [];

    /// <summary>The size in bytes of each frame in <see cref="Received"/>, as it came off the wire.</summary>
    public List<long> ReceivedBytes { get; } = [];

    public Task SendAsync(string json) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).WaitAsync(Guard);

    public Task SendEditAsync(Guid id, int attempt, string commandJson) =>
        SendAsync($$"""{"type":"edit","id":"{{id}}","attempt":{{attempt}},"command":{{commandJson}}}""");

    public Task SendEditAsync(Guid id, int attempt, string kind, string commandJson) =>
        SendAsync($$"""{"type":"edit","id":"{{id}}","attempt":{{attempt}},"kind":"{{kind}}","command":{{commandJson}}}""");

    /// <summary>Receives frames until one matches, and returns it.</summary>
    public async Task<JsonObject> ReceiveUntilAsync(Func<JsonObject, bool> match)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await Socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Guard);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    throw new InvalidOperationException("The server closed the socket before the expected frame arrived.");
                }
                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);
            var frame = JsonNode.Parse(message.ToArray())!.AsObject();
            Received.Add(frame);
            ReceivedBytes.Add(message.Length);
            if (match(frame))
            {
                return frame;
            }
        }
    }

    /// <summary>Sends every command as an edit of its own, then returns the answers' codes in the order the edits were
    /// sent ("ack" for an acceptance).</summary>
    public async Task<List<string>> SendEditsAndReceiveCodesAsync(IReadOnlyList<string> commands, IReadOnlyList<Guid>? editIds = null)
    {
        var ids = new List<Guid>();
        for (var i = 0; i < commands.Count; i++)
        {
            var id = editIds?[i] ?? Guid.NewGuid();
            ids.Add(id);
            await SendEditAsync(id, 1, commands[i]);
        }
        var answers = new Dictionary<Guid, string>();
        while (answers.Count < ids.Count)
        {
            var answer = await ReceiveUntilAsync(f => Is(f, "ack") || Is(f, "reject"));
            answers[Guid.Parse((string)answer["id"]!)] = (string?)answer["code"] ?? "ack";
        }
        return [.. ids.Select(id => answers[id])];
    }

    /// <summary>Sends raw bytes as one message, cut into frames of <paramref name="fragmentSize"/> bytes.</summary>
    public async Task SendBytesAsync(byte[] data, WebSocketMessageType type, int fragmentSize = int.MaxValue)
    {
        var offset = 0;
        do
        {
            var count = Math.Min(fragmentSize, data.Length - offset);
            await Socket.SendAsync(data.AsMemory(offset, count), type, endOfMessage: offset + count == data.Length, CancellationToken.None).AsTask().WaitAsync(Guard);
            offset += count;
        }
        while (offset < data.Length);
    }

    /// <summary>Reads (and drops) frames until the server's close frame, and returns its status and reason.</summary>
    public async Task<(WebSocketCloseStatus? Status, string? Reason)> ReceiveCloseAsync()
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await Socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Guard);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (result.CloseStatus, result.CloseStatusDescription);
            }
        }
    }

    /// <summary>Receives until the socket has had <paramref name="count"/> live messages (not history), each alone in a
    /// <c>message</c> frame or with others in a <c>messages</c> frame, and returns the id and sequence of each, in the
    /// order received.</summary>
    public async Task<List<(Guid Id, long Sequence)>> ReceiveMessagesAsync(int count)
    {
        while (LiveMessages().Count() < count)
        {
            await ReceiveUntilAsync(frame => Is(frame, Shared.Protocol.ChatProtocol.MessageType) || Is(frame, Shared.Protocol.ChatProtocol.MessagesType));
        }
        return [.. LiveMessages().Select(m => (Guid.Parse((string)m["id"]!), (long)m["sequence"]!))];
    }

    // The payloads of every message received so far, in order, taken out of their batches.
    private IEnumerable<JsonNode> LiveMessages() => Received.SelectMany(MessagesIn);

    /// <summary>Returns the messages a frame carries: the payload of a <c>message</c> frame, each message of a
    /// <c>messages</c> frame, or none.</summary>
    public static IEnumerable<JsonNode> MessagesIn(JsonObject frame) =>
        Is(frame, Shared.Protocol.ChatProtocol.MessageType) ? [frame["payload"]!]
        : Is(frame, Shared.Protocol.ChatProtocol.MessagesType) ? frame["payload"]!["messages"]!.AsArray().Select(m => m!)
        : [];

    /// <summary>Whether a frame carries the message <paramref name="id"/>, alone or in a batch.</summary>
    public static bool Holds(JsonObject frame, Guid id) => MessagesIn(frame).Any(m => (string?)m["id"] == id.ToString());

    public static bool Is(JsonObject frame, string type, Guid? id = null) =>
        (string?)frame["type"] == type
        && (id is null || (string?)frame["id"] == id.ToString() || (string?)frame["payload"]?["id"] == id.ToString());

    public ValueTask DisposeAsync()
    {
        Socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
