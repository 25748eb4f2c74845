using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using ChatServer.Shared.Protocol;
using ChatServer.Tests.Support;

namespace ChatServer.Tests.BadInput;

/// <summary>Frames that are not a valid client message: each is answered with an <c>error</c> frame
/// (<c>chat.malformed</c> and a reason) or a documented close code, and nothing else changes.</summary>
public sealed class MalformedFrameTests : IAsyncLifetime
{
    private const string ValidId = "6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c";

    private ChatHost _host = null!;
    private Bystander _bystander = null!;
    private TestUser _alice = null!;
    private RawSocket _socket = null!;

    public async Task InitializeAsync()
    {
        _host = await ChatHost.StartAsync();
        _bystander = await Bystander.JoinAsync(_host);
        _alice = await TestUser.LoginAsync(_host, "alice");
        _socket = await _alice.ConnectRawAsync();
    }

    public async Task DisposeAsync()
    {
        await _alice.DisposeAsync();
        await _bystander.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task MalformedJson_IsAnsweredWithInvalidJson()
    {
        var error = await SendAndReceiveErrorAsync("""{"type":"edit","id":""");

        ((string)error["message"]!).Should().StartWith("Invalid JSON");
        await AssertConnectionSurvivesAndOthersServedAsync();
    }

    [Theory]
    [InlineData("[1,2,3]")]
    [InlineData("\"edit\"")]
    [InlineData("42")]
    [InlineData("null")]
    public async Task ValidJsonThatIsNotAnObject_IsAnsweredWithMustBeAnObject(string json)
    {
        var error = await SendAndReceiveErrorAsync(json);

        ((string)error["message"]!).Should().Be("A message must be a JSON object.");
        await AssertConnectionSurvivesAndOthersServedAsync();
    }

    [Fact]
    public async Task UnknownMessageType_IsAnsweredWithUnknownType()
    {
        var error = await SendAndReceiveErrorAsync("""{"type":"typing","payload":{"user":"alice"}}""");

        ((string)error["message"]!).Should().Be("Unknown message type 'typing': a client sends only edits.");
        await AssertConnectionSurvivesAndOthersServedAsync();
    }

    [Theory]
    [InlineData("""{"id":"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c","attempt":1,"command":{"text":"hi"}}""", "A message needs a non-empty string property 'type'.")]
    [InlineData("""{"type":"edit","attempt":1,"command":{"text":"hi"}}""", "A 'edit' message needs an 'id' that is a GUID string.")]
    [InlineData("""{"type":"edit","id":"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c","command":{"text":"hi"}}""", "A 'edit' message needs an 'attempt' that is a positive integer.")]
    [InlineData("""{"type":"edit","id":"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c","attempt":1}""", "An 'edit' message needs a 'command'.")]
    [InlineData("""{"type":"edit","id":"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c","attempt":1,"command":{}}""", "The command could not be read")]
    public async Task MissingField_IsAnsweredWithTheFieldItNeeds(string json, string expected)
    {
        var error = await SendAndReceiveErrorAsync(json);

        ((string)error["message"]!).Should().StartWith(expected);
        (await Bystander.HistoryAsync(_host)).Should().NotContain(Guid.Parse(ValidId));
        await AssertConnectionSurvivesAndOthersServedAsync();
    }

    [Theory]
    [InlineData("""{"type":7,"id":"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c","attempt":1,"command":{"text":"hi"}}""", "A message needs a non-empty string property 'type'.")]
    [InlineData("""{"type":"edit","id":12345,"attempt":1,"command":{"text":"hi"}}""", "A 'edit' message needs an 'id' that is a GUID string.")]
    [InlineData("""{"type":"edit","id":"not-a-guid","attempt":1,"command":{"text":"hi"}}""", "A 'edit' message needs an 'id' that is a GUID string.")]
    [InlineData("""{"type":"edit","id":"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c","attempt":"1","command":{"text":"hi"}}""", "A 'edit' message needs an 'attempt' that is a positive integer.")]
    [InlineData("""{"type":"edit","id":"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c","attempt":0,"command":{"text":"hi"}}""", "A 'edit' message needs an 'attempt' that is a positive integer.")]
    [InlineData("""{"type":"edit","id":"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c","attempt":1e400,"command":{"text":"hi"}}""", "A 'edit' message needs an 'attempt' that is a positive integer.")]
    [InlineData("""{"type":"edit","id":"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c","attempt":1,"command":"hi"}""", "The command could not be read")]
    [InlineData("""{"type":"edit","id":"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c","attempt":1,"command":{"text":5}}""", "The command could not be read")]
    [InlineData("""{"type":"edit","id":"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c","attempt":1,"command":{"text":null}}""", "The command could not be read")]
    public async Task WronglyTypedField_IsAnsweredWithWhatItMustBe(string json, string expected)
    {
        var error = await SendAndReceiveErrorAsync(json);

        ((string)error["message"]!).Should().StartWith(expected);
        (await Bystander.HistoryAsync(_host)).Should().NotContain(Guid.Parse(ValidId));
        await AssertConnectionSurvivesAndOthersServedAsync();
    }

    [Theory]
    [InlineData("""{"type":"edit","id":"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c","attempt":1,"kind":"edit-message","command":{"text":"hi","baseRevision":0}}""", "The 'edit-message' command could not be read: property 'messageId' is missing.")]
    [InlineData("""{"type":"edit","id":"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c","attempt":1,"kind":"edit-message","command":{"messageId":"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2d","baseRevision":0}}""", "The 'edit-message' command could not be read: property 'text' is missing.")]
    [InlineData("""{"type":"edit","id":"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c","attempt":1,"kind":"edit-message","command":{"messageId":"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2d","text":"hi","baseRevision":true}}""", "The 'edit-message' command could not be read")]
    [InlineData("""{"type":"edit","id":"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c","attempt":1,"kind":"edit-message","command":{"messageId":"not-a-guid","text":"hi","baseRevision":0}}""", "The 'edit-message' command could not be read")]
    [InlineData("""{"type":"edit","id":"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c","attempt":1,"kind":"delete-message","command":{}}""", "The 'delete-message' command could not be read: property 'messageId' is missing.")]
    [InlineData("""{"type":"edit","id":"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c","attempt":1,"kind":"delete-message","command":{"messageId":null}}""", "The 'delete-message' command could not be read")]
    public async Task EditOrDeleteCommandOfTheWrongShape_IsAnsweredWithWhatItNeeds(string json, string expected)
    {
        var error = await SendAndReceiveErrorAsync(json);

        ((string)error["message"]!).Should().StartWith(expected);
        await AssertConnectionSurvivesAndOthersServedAsync();
    }

    [Fact]
    public async Task EditOfAnUnknownKind_IsRejectedUnknownCommand_AndTheConnectionServesOn()
    {
        var id = Guid.NewGuid();

        await _socket.SendEditAsync(id, 1, "pin-message", """{"messageId":"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2d"}""");
        var answer = await _socket.ReceiveUntilAsync(frame => RawSocket.Is(frame, "reject", id));

        ((string?)answer["code"]).Should().Be(Reactive.Edits.Remote.RemoteErrorCodes.UnknownCommand);
        ((string?)answer["message"]).Should().Be("The server does not know commands of kind 'pin-message'.");
        await AssertConnectionSurvivesAndOthersServedAsync();
    }

    [Fact]
    public async Task NestingDeeperThanTheLimit_IsAnsweredWithInvalidJson()
    {
        var deep = $$$"""{"type":"edit","id":"{{{ValidId}}}","attempt":1,"command":{"text":"hi","x":{{{new string('[', 10_000)}}}{{{new string(']', 10_000)}}}}}""";

        var error = await SendAndReceiveErrorAsync(deep);

        ((string)error["message"]!).Should().StartWith("Invalid JSON").And.Contain("depth");
        await AssertConnectionSurvivesAndOthersServedAsync();
    }

    [Theory]
    [InlineData("ack")]
    [InlineData("reject")]
    public async Task AnswerFromAClient_IsAnsweredWithOnlyTheServerAnswers(string type)
    {
        var error = await SendAndReceiveErrorAsync($$"""{"type":"{{type}}","id":"{{_bystander.Earlier}}","attempt":1,"code":"x","message":"forged"}""");

        ((string)error["message"]!).Should().Be($"A client does not send '{type}': only the server answers edits.");
        _bystander.Received.Should().NotContain(f => RawSocket.Is(f, "reject", _bystander.Earlier), "an answer is never relayed to another connection");
        await AssertConnectionSurvivesAndOthersServedAsync();
    }

    [Fact]
    public async Task BinaryFrame_ClosesWith1003AndAReason_AndItsEditIsNotRun()
    {
        var id = Guid.NewGuid();
        await _socket.SendBytesAsync(Encoding.UTF8.GetBytes($$$"""{"type":"edit","id":"{{{id}}}","attempt":1,"command":{"text":"in binary"}}"""), WebSocketMessageType.Binary);

        var (status, reason) = await _socket.ReceiveCloseAsync();

        status.Should().Be(WebSocketCloseStatus.InvalidMessageType);
        reason.Should().Be(Reactive.Edits.Remote.WebSocketMessageChannel.TextOnlyCloseReason);
        (await Bystander.HistoryAsync(_host)).Should().NotContain(id);
        await _bystander.AssertServedAndNothingLostAsync();
    }

    [Fact]
    public async Task InvalidUtf8InATextFrame_ClosesWith1007()
    {
        // "{"type":"edit" with a lone continuation byte and an overlong encoding inside the string.
        byte[] invalid = [.. """{"type":"ed"""u8, 0x80, 0xC0, 0xAF, .. """it"}"""u8];

        await _socket.SendBytesAsync(invalid, WebSocketMessageType.Text);
        WebSocketCloseStatus? status;
        try
        {
            (status, _) = await _socket.ReceiveCloseAsync();
        }
        catch (WebSocketException ex) when (ex.WebSocketErrorCode == WebSocketError.ConnectionClosedPrematurely)
        {
            // Documented as best effort (docs/protocol.md): the runtime's WebSocket sends 1007 and ends the connection
            // itself, and under load the reset can overtake the close frame. The connection is ended either way.
            status = WebSocketCloseStatus.InvalidPayloadData;
        }

        status.Should().Be(WebSocketCloseStatus.InvalidPayloadData);
        await _bystander.AssertServedAndNothingLostAsync();
    }

    [Fact]
    public async Task MessageOverTheFrameLimitInSmallFragments_ClosesWith1009BeforeItEnds()
    {
        // 64 KiB + 1 in 1 KiB fragments, never ending: the limit is enforced while the fragments accumulate.
        var payload = Encoding.UTF8.GetBytes($$$"""{"type":"edit","id":"{{{Guid.NewGuid()}}}","attempt":1,"command":{"text":"{{{new string('a', 70_000)}}}"}}""");
        var sent = 0;
        try
        {
            for (; sent + 1024 <= 64 * 1024 + 1024; sent += 1024)
            {
                await _socket.Socket.SendAsync(payload.AsMemory(sent, 1024), WebSocketMessageType.Text, endOfMessage: false, CancellationToken.None);
            }
        }
        catch (WebSocketException)
        {
            // The server may close before the last fragments leave: that is the point.
        }

        var (status, reason) = await _socket.ReceiveCloseAsync();

        status.Should().Be(WebSocketCloseStatus.MessageTooBig);
        reason.Should().Be("Message too big");
        await _bystander.AssertServedAndNothingLostAsync();
    }

    private async Task<JsonNode> SendAndReceiveErrorAsync(string json)
    {
        await _socket.SendAsync(json);
        return await ReceiveErrorAsync();
    }

    private async Task<JsonNode> ReceiveErrorAsync()
    {
        var frame = await _socket.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.ErrorType));
        var error = frame["payload"]!;
        ((string)error["code"]!).Should().Be(ChatProtocol.Malformed);
        return error;
    }

    // The offending connection stays open and usable, and the bystander is served and lost nothing.
    private async Task AssertConnectionSurvivesAndOthersServedAsync()
    {
        var id = Guid.NewGuid();
        await _socket.SendEditAsync(id, 1, """{"text":"still here"}""");
        await _socket.ReceiveUntilAsync(f => RawSocket.Is(f, "ack", id));
        await _bystander.AssertServedAndNothingLostAsync();
    }
}
