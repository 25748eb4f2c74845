using System.Net.WebSockets;
using System.Text;
using ChatServer.Shared.Protocol;
using ChatServer.Tests.BadInput;
using ChatServer.Tests.Support;
using Xunit.Abstractions;

namespace ChatServer.Tests.Attacks;

/// <summary>Attack: make the server hold or send more than it was sent, without logging in — an error that echoes
/// the input, many times amplified, and an endless stream of bad frames each answered and logged.</summary>
public sealed class MemoryExhaustionTests(ITestOutputHelper output)
{
    private const string ValidId = "6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c";

    // Each input fills a 64 KiB frame with what JSON escapes into 6 bytes ("<" is \u003C, a control character
    // \u0001), placed where a reason could quote it: the type, a property name, the command.
    public static TheoryData<string, string> LargestInputs() => new()
    {
        { "unknown type of '<'", $$"""{"type":"{{new string('<', 65_000)}}"}""" },
        { "unknown type of control characters", $$"""{"type":"{{string.Concat(Enumerable.Repeat("\\u0001", 10_800))}}"}""" },
        { "edit with a wrongly typed text under a long name", $$"""{"type":"edit","id":"{{ValidId}}","attempt":1,"command":{"{{new string('<', 64_000)}}":1,"text":{"{{new string('<', 1_000)}}":1""" + "}}}" },
        { "invalid JSON after a long string", $$"""{"type":"{{new string('<', 65_000)}}" """ },
        { "ack with a long code", $$"""{"type":"ack","id":"{{ValidId}}","attempt":1,"code":"{{new string('<', 65_000)}}"}""" },
        { "edit of an unknown command kind", $$"""{"type":"edit","id":"{{ValidId}}","attempt":1,"kind":"{{new string('<', 64_900)}}","command":{"text":"hi"}""" + "}" },
    };

    [Theory]
    [MemberData(nameof(LargestInputs))]
    public async Task LargestBadFrame_IsAnsweredWithAShortError_AndNoServerFrameExceeds64KiB(string name, string frame)
    {
        await using var host = await ChatHost.StartAsync();
        await using var bystander = await Bystander.JoinAsync(host);
        await using var visitor = TestUser.Anonymous(host);
        var socket = await visitor.ConnectRawAsync();
        var sent = Encoding.UTF8.GetByteCount(frame);

        await socket.SendAsync(frame);
        // An error, or for an edit the library refuses before it runs, a reject.
        var error = await socket.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.ErrorType) || RawSocket.Is(f, "reject"));
        var errorBytes = socket.ReceivedBytes[socket.Received.IndexOf(error)];
        output.WriteLine($"{name}: sent {sent:N0} bytes, the {error["type"]} frame is {errorBytes:N0} bytes: {Shorten((string?)(error["payload"]?["message"] ?? error["message"]))}");

        sent.Should().BeLessThanOrEqualTo(ChatProtocol.MaxFrameSize, "the attack fits one frame");
        // A reason is cut at 300 characters (6 bytes each at worst in JSON), a quoted value at 32.
        errorBytes.Should().BeLessThanOrEqualTo(2048, "an error quotes at most a short excerpt of the input");
        socket.ReceivedBytes.Should().OnlyContain(bytes => bytes <= ChatProtocol.MaxFrameSize);
        await bystander.AssertServedAndNothingLostAsync();
    }

    [Fact]
    public async Task BadFramesBeyondTheBudget_CloseTheConnectionWith1008_AndAreNotAllAnsweredOrLogged()
    {
        await using var host = await ChatHost.StartAsync();
        await using var bystander = await Bystander.JoinAsync(host);
        await using var visitor = TestUser.Anonymous(host);
        var socket = await visitor.ConnectRawAsync();
        await socket.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.HistoryType));

        var sent = await SendUntilClosedAsync(socket, 1_000, static _ => """{"type":"typing"}""");
        var (status, reason) = await CloseOfAsync(socket);

        status.Should().Be(WebSocketCloseStatus.PolicyViolation);
        reason.Should().StartWith("Too many bad frames");
        output.WriteLine($"{sent} frames sent before the close; {socket.Received.Count(f => RawSocket.Is(f, ChatProtocol.ErrorType))} errors; close {(int?)status} '{reason}'");
        host.Logs.Entries.Count(e => e.EventId.Name == "Malformed").Should().BeLessThanOrEqualTo(21, "the log is not a copy of the attack");
        await bystander.AssertServedAndNothingLostAsync();
    }

    [Fact]
    public async Task AnonymousEditsBeyondTheBudget_CloseTheConnectionWith1008()
    {
        await using var host = await ChatHost.StartAsync();
        await using var bystander = await Bystander.JoinAsync(host);
        await using var visitor = TestUser.Anonymous(host);
        var socket = await visitor.ConnectRawAsync();
        await socket.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.HistoryType));

        await SendUntilClosedAsync(socket, 1_000, static _ => $$$"""{"type":"edit","id":"{{{Guid.NewGuid()}}}","attempt":1,"command":{"text":"let me in"}}""");
        var (status, reason) = await CloseOfAsync(socket);

        status.Should().Be(WebSocketCloseStatus.PolicyViolation);
        reason.Should().StartWith("Too many bad frames");
        socket.Received.Count(f => RawSocket.Is(f, "reject")).Should().BeLessThanOrEqualTo(21);
        await bystander.AssertServedAndNothingLostAsync();
    }

    private static string? Shorten(string? text) => text is { Length: > 200 } ? text[..200] + "…" : text;

    // The server's close: already received (it ended SendUntilClosedAsync), or the next frame to come.
    private static async Task<(WebSocketCloseStatus? Status, string? Reason)> CloseOfAsync(RawSocket socket) =>
        socket.Socket.State is WebSocketState.CloseReceived or WebSocketState.Closed
            ? (socket.Socket.CloseStatus, socket.Socket.CloseStatusDescription)
            : await socket.ReceiveCloseAsync();

    // Sends up to `count` frames, each after the answer to the one before (an error or a reject), and stops when the
    // server closes the socket. Returns how many were sent.
    private static async Task<int> SendUntilClosedAsync(RawSocket socket, int count, Func<int, string> frame)
    {
        for (var i = 0; i < count; i++)
        {
            try
            {
                await socket.SendAsync(frame(i));
                await socket.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.ErrorType) || RawSocket.Is(f, "reject"));
            }
            catch (Exception ex) when (ex is InvalidOperationException or WebSocketException)
            {
                // The server's close frame arrived (or the socket is closing): stop sending.
                return i + 1;
            }
        }
        return count;
    }
}
