using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatServer.Shared.Protocol;
using ChatServer.Tests.Support;
using Xunit.Abstractions;

namespace ChatServer.Tests.BadInput;

/// <summary>Random and mutated frames over real sockets, while a well-behaved client chats in parallel: the server
/// logs no error, keeps serving, acks every one of the bystander's messages and broadcasts every message.</summary>
public sealed class ProtocolFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 20261129;
    private static readonly int FrameCount = int.TryParse(Environment.GetEnvironmentVariable("CHAT_FUZZ_FRAMES"), out var n) ? n : 10_000;
    private const int Workers = 2;
    private const int Window = 16;

    [Fact]
    public async Task Fuzz_TenThousandRandomAndMutatedFrames_NoErrorAndTheBystanderIsServedCompletely()
    {
        output.WriteLine($"seed {Seed}, {FrameCount} frames over {Workers} socket workers");
        await using var host = await ChatHost.StartAsync(o =>
        {
            // The bystander is never throttled, and a fuzz worker's reconnects never meet the connection limit.
            o.RateLimitCount = 1_000_000;
            o.MaxConnectionsPerUser = 64;
        });
        await using var bystanderUser = await TestUser.LoginAsync(host, "bystander");
        var bystander = await bystanderUser.ConnectRawAsync();
        var history = await bystander.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.HistoryType));
        var stats = new FuzzStats();
        var clock = Stopwatch.StartNew();

        var fuzzing = Task.WhenAll(Enumerable.Range(0, Workers).Select(w => FuzzAsync(host, new FuzzFrames(Seed + w), FrameCount / Workers, stats)));
        var own = await ChatAlongsideAsync(bystander, fuzzing);
        await fuzzing;
        own.Add(await SendAndAwaitAckAsync(bystander, "after the fuzz"));

        output.WriteLine($"{stats.Sent} frames sent, {stats.Handled} answered or refused with a close, in {clock.Elapsed.TotalSeconds:0.0} s over {stats.Connections} connections; bystander sent {own.Count}");
        output.WriteLine("made: " + string.Join(", ", stats.Made.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}")));
        output.WriteLine("answers: " + string.Join(", ", stats.Answers.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}")));
        stats.Handled.Should().BeGreaterThanOrEqualTo(FrameCount);
        stats.Unparsable.Should().Be(0, "every frame the server sends is JSON");
        stats.Unanswered.Should().Be(0, "every frame gets an answer (error, ack or reject) or a close code");
        host.Logs.Errors.Should().BeEmpty("bad input never makes the server log an error");
        // Every one of the bystander's messages came back as a message, then its ack.
        foreach (var id in own)
        {
            var messageAt = bystander.Received.FindIndex(f => RawSocket.Holds(f, id));
            messageAt.Should().BeGreaterThanOrEqualTo(0).And.BeLessThan(bystander.Received.FindIndex(f => RawSocket.Is(f, "ack", id)));
        }
        // Every message broadcast (the bystander's and the fuzzers' accepted ones) reached it, in sequence, no gaps,
        // alone or with others that were stored with it.
        var first = history["payload"]!["messages"]!.AsArray().Select(m => (long)m!["sequence"]!).DefaultIfEmpty(0).Max() + 1;
        var sequences = bystander.Received.SelectMany(RawSocket.MessagesIn).Select(m => (long)m["sequence"]!).ToList();
        sequences.Should().Equal(Enumerable.Range(0, sequences.Count).Select(i => first + i));
        // The server is up, and what a new connection gets as history is what the bystander saw last.
        var lastSeen = bystander.Received.SelectMany(RawSocket.MessagesIn).Select(m => Guid.Parse((string)m["id"]!)).TakeLast(100);
        (await Bystander.HistoryAsync(host)).Should().Equal(lastSeen);
    }

    // The well-behaved client: sends one message at a time and awaits its ack, for as long as the fuzz runs.
    private static async Task<List<Guid>> ChatAlongsideAsync(RawSocket bystander, Task fuzzing)
    {
        var own = new List<Guid>();
        while (!fuzzing.IsCompleted)
        {
            own.Add(await SendAndAwaitAckAsync(bystander, $"bystander {own.Count}"));
        }
        return own;
    }

    private static async Task<Guid> SendAndAwaitAckAsync(RawSocket socket, string text)
    {
        var id = Guid.NewGuid();
        await socket.SendEditAsync(id, 1, new JsonObject { ["text"] = text }.ToJsonString());
        await socket.ReceiveUntilAsync(f => RawSocket.Is(f, "ack", id) || RawSocket.Is(f, "reject", id));
        socket.Received[^1]["type"]!.GetValue<string>().Should().Be("ack", "the bystander's valid message is accepted");
        return id;
    }

    // One fuzzing user's worker: sends frames on a socket, at most a window of them unanswered (each frame gets one
    // answer: error, ack or reject, or the socket's close), so that every frame counted reached the server's
    // message handling. When the server closes the socket (1007, 1009), it completes the handshake, reconnects and goes on.
    private static async Task FuzzAsync(ChatHost host, FuzzFrames frames, int count, FuzzStats stats)
    {
        await using var fuzzer = await TestUser.LoginAsync(host, "fuzzer");
        var handled = new Counter();
        while (handled.Value < count)
        {
            using var socket = new ClientWebSocket();
            fuzzer.ConfigureSocket(socket.Options);
            await socket.ConnectAsync(fuzzer.SocketUri, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            Interlocked.Increment(ref stats.Connections);
            using var window = new SemaphoreSlim(Window, Window);
            var reading = ReadAllAsync(socket, stats, window, handled);
            try
            {
                while (handled.Value < count && !reading.IsCompleted)
                {
                    var permit = window.WaitAsync(TimeSpan.FromSeconds(10));
                    if (await Task.WhenAny(permit, reading) == reading)
                    {
                        break;
                    }
                    if (!await permit)
                    {
                        // A frame the server neither answered nor closed the socket for, within 10 s.
                        stats.Answer("unanswered after " + string.Join(",", frames.LastKinds));
                        Interlocked.Increment(ref stats.Unanswered);
                    }
                    var (data, type) = frames.Next();
                    await socket.SendAsync(data.AsMemory(), type, endOfMessage: true, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
                    Interlocked.Increment(ref stats.Sent);
                }
                if (!reading.IsCompleted)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or InvalidOperationException or OperationCanceledException)
            {
                // The server closed the socket while a frame was leaving: reconnect.
            }
            await reading.WaitAsync(TimeSpan.FromSeconds(10));
            await AnswerCloseAsync(socket);
        }
        stats.Count(frames.Made);
        Interlocked.Add(ref stats.Handled, handled.Value);
    }

    // Completes the close handshake the server began; after 1007 the server may have reset the connection already.
    private static async Task AnswerCloseAsync(ClientWebSocket socket)
    {
        try
        {
            if (socket.State == WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }
        }
        catch (WebSocketException)
        {
        }
    }

    private static async Task ReadAllAsync(ClientWebSocket socket, FuzzStats stats, SemaphoreSlim window, Counter handled)
    {
        var buffer = new byte[128 * 1024];
        try
        {
            while (true)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None);
                    count += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    stats.Answer($"close {(int?)socket.CloseStatus}");
                    if (socket.CloseStatus != WebSocketCloseStatus.NormalClosure)
                    {
                        // The frame that made the server close the socket was handled too (refused).
                        handled.Increment();
                    }
                    return;
                }
                var type = TypeOf(buffer.AsSpan(0, count), stats);
                stats.Answer(type);
                if (type.StartsWith("error", StringComparison.Ordinal) || type.StartsWith("reject", StringComparison.Ordinal) || type == "ack")
                {
                    handled.Increment();
                    window.Release();
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException)
        {
            stats.Answer("aborted");
        }
    }

    private static string TypeOf(ReadOnlySpan<byte> frame, FuzzStats stats)
    {
        try
        {
            var node = JsonNode.Parse(frame)!;
            var type = (string)node["type"]!;
            return type == ChatProtocol.ErrorType ? $"error {(string)node["payload"]!["code"]!}" : type == "reject" ? $"reject {(string)node["code"]!}" : type;
        }
        catch (JsonException)
        {
            Interlocked.Increment(ref stats.Unparsable);
            return "unparsable";
        }
    }

    private sealed class Counter
    {
        private int _value;

        public int Value => Volatile.Read(ref _value);

        public void Increment() => Interlocked.Increment(ref _value);
    }

    private sealed class FuzzStats
    {
        public int Sent;
        public int Handled;
        public int Connections;
        public int Unparsable;
        public int Unanswered;

        public ConcurrentDictionary<string, int> Answers { get; } = new();

        public ConcurrentDictionary<string, int> Made { get; } = new();

        public void Answer(string kind) => Answers.AddOrUpdate(kind, 1, static (_, n) => n + 1);

        public void Count(Dictionary<string, int> made)
        {
            foreach (var (kind, n) in made)
            {
                Made.AddOrUpdate(kind, n, (_, total) => total + n);
            }
        }
    }
}
