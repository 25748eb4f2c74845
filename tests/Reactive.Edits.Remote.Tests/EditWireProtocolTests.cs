using System.Text;
using System.Text.Json;
using Reactive.Edits.Remote;

namespace Reactive.Edits.Remote.Tests;

public sealed class EditWireProtocolTests
{
    private readonly EditWireProtocol _protocol = new EditWireProtocol().WithCommand(TestJson.Default.PostMessage);

    [Fact]
    public void EncodeEdit_ThenDecode_RoundTrips()
    {
        var request = new EditRequest<PostMessage>(EditId.New(), 3, new PostMessage("hi"));

        var frame = _protocol.EncodeEdit(request);
        var decoded = _protocol.Decode(frame);

        frame.Type.Should().Be(ChannelMessageType.Text);
        frame.GetText().Should().Be("{\"type\":\"edit\",\"id\":\"" + request.Id + "\",\"attempt\":3,\"command\":{\"text\":\"hi\"}}");
        decoded.Kind.Should().Be(WireMessageKind.Edit);
        decoded.CommandKind.Should().BeEmpty("the default kind carries no 'kind'");
        decoded.TryGetRequest<PostMessage>(out var typed).Should().BeTrue();
        typed.Should().Be(request);
    }

    [Fact]
    public void EncodeReply_Ack_ThenDecode_RoundTrips()
    {
        var reply = new EditReply(EditId.New(), 1, EditOutcome.Accepted);

        var frame = _protocol.EncodeReply(reply);
        var decoded = _protocol.Decode(frame);

        frame.GetText().Should().Be($$"""{"type":"ack","id":"{{reply.Id}}","attempt":1}""");
        decoded.Kind.Should().Be(WireMessageKind.Ack);
        decoded.Reply.Should().Be(reply);
    }

    [Fact]
    public void EncodeReply_Reject_ThenDecode_RoundTrips()
    {
        var reply = new EditReply(EditId.New(), 2, EditOutcome.Rejected(new RemoteError("chat.empty", "Say something.")));

        var decoded = _protocol.Decode(_protocol.EncodeReply(reply));

        decoded.Kind.Should().Be(WireMessageKind.Reject);
        decoded.Reply.Should().Be(reply);
    }

    [Fact]
    public void EncodeMessage_ApplicationType_PassesThroughWithItsPayload()
    {
        var frame = _protocol.EncodeMessage("presence", new Presence(3), TestJson.Default.Presence);

        var decoded = _protocol.Decode(frame);

        decoded.Kind.Should().Be(WireMessageKind.Message);
        decoded.Type.Should().Be("presence");
        decoded.Payload.Deserialize(TestJson.Default.Presence).Should().Be(new Presence(3));
    }

    [Fact]
    public void Decode_ApplicationTypeWithoutPayload_HasAnUndefinedPayload()
    {
        var decoded = _protocol.Decode(ChannelMessage.Text("""{"type":"ping"}"""));

        decoded.Kind.Should().Be(WireMessageKind.Message);
        decoded.Payload.ValueKind.Should().Be(JsonValueKind.Undefined);
    }

    [Fact]
    public void Decode_BinaryFrameWithJson_IsDecoded()
    {
        var text = $$"""{"type":"ack","id":"{{EditId.New()}}","attempt":1}""";

        _protocol.Decode(ChannelMessage.Binary(Encoding.UTF8.GetBytes(text))).Kind.Should().Be(WireMessageKind.Ack);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"type\":\"edit\"")]
    [InlineData("[1,2]")]
    [InlineData("42")]
    [InlineData("{}")]
    [InlineData("{\"type\":7}")]
    [InlineData("{\"type\":\"\"}")]
    [InlineData("{\"type\":\"edit\",\"id\":\"nope\",\"attempt\":1,\"command\":{\"text\":\"a\"}}")]
    [InlineData("{\"type\":\"edit\",\"id\":\"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c\",\"attempt\":0,\"command\":{\"text\":\"a\"}}")]
    [InlineData("{\"type\":\"edit\",\"id\":\"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c\",\"attempt\":\"1\",\"command\":{\"text\":\"a\"}}")]
    [InlineData("{\"type\":\"edit\",\"id\":\"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c\",\"attempt\":1.5,\"command\":{\"text\":\"a\"}}")]
    [InlineData("{\"type\":\"edit\",\"id\":\"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c\",\"attempt\":1}")]
    [InlineData("{\"type\":\"edit\",\"id\":\"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c\",\"attempt\":1,\"command\":null}")]
    [InlineData("{\"type\":\"edit\",\"id\":\"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c\",\"attempt\":1,\"command\":[1]}")]
    [InlineData("{\"type\":\"edit\",\"id\":\"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c\",\"attempt\":1,\"command\":{\"text\":5}}")]
    [InlineData("{\"type\":\"ack\",\"id\":\"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c\"}")]
    [InlineData("{\"type\":\"reject\",\"id\":\"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c\",\"attempt\":1,\"message\":\"m\"}")]
    [InlineData("{\"type\":\"reject\",\"id\":\"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c\",\"attempt\":1,\"code\":\"c\"}")]
    public void Decode_MalformedInput_GivesAnErrorResultWithoutThrowing(string input)
    {
        var decoded = _protocol.Decode(ChannelMessage.Text(input));

        decoded.Kind.Should().Be(WireMessageKind.Malformed);
        decoded.Error.Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public void Decode_InvalidUtf8AndDeepNesting_GiveErrorResults()
    {
        _protocol.Decode(ChannelMessage.Binary(new byte[] { 0xFF, 0xFE, 0x7B })).Kind.Should().Be(WireMessageKind.Malformed);
        var deep = new string('[', 1_000) + new string(']', 1_000);
        _protocol.Decode(ChannelMessage.Text(deep)).Kind.Should().Be(WireMessageKind.Malformed);
    }

    [Fact]
    public void Decode_ValidJsonWithACommandOfTheWrongShape_SaysTheCommandCouldNotBeRead()
    {
        var decoded = _protocol.Decode(ChannelMessage.Text("{\"type\":\"edit\",\"id\":\"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c\",\"attempt\":1,\"command\":{\"text\":5}}"));

        decoded.Kind.Should().Be(WireMessageKind.Malformed);
        // In the protocol's terms: no .NET type names (the serializer's "could not be converted to System.String").
        decoded.Error.Should().Be("The command could not be read: property 'text' must be a string, not a number.");
    }

    [Fact]
    public void Decode_TextThatIsNotJson_SaysInvalidJson()
    {
        var decoded = _protocol.Decode(ChannelMessage.Text("{\"type\":"));

        decoded.Kind.Should().Be(WireMessageKind.Malformed);
        decoded.Error.Should().StartWith("Invalid JSON");
    }

    [Fact]
    public void Decode_RandomBytes_NeverThrows()
    {
        var random = new Random(42);
        for (var i = 0; i < 2_000; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            var act = () => _protocol.Decode(ChannelMessage.Binary(bytes));
            act.Should().NotThrow();
        }
    }

    [Fact]
    public void EncodeMessage_ReservedOrEmptyType_Throws()
    {
        var reserved = () => _protocol.EncodeMessage("ack", new Presence(1), TestJson.Default.Presence);
        var empty = () => _protocol.EncodeMessage("", new Presence(1), TestJson.Default.Presence);

        reserved.Should().Throw<ArgumentException>();
        empty.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void WithCommand_NullTypeInfo_Throws()
    {
        var act = () => new EditWireProtocol().WithCommand<PostMessage>(null!);

        act.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void SeveralKinds_EachEncodesWithItsKindAndDecodesIntoItsType()
    {
        var protocol = new EditWireProtocol().WithCommand(TestJson.Default.PostMessage).WithCommand("rename", TestJson.Default.RenameRoom);
        var post = new EditRequest<PostMessage>(EditId.New(), 1, new PostMessage("hi"));
        var rename = new EditRequest<RenameRoom>(EditId.New(), 2, new RenameRoom("lobby"));

        var postFrame = protocol.EncodeEdit(post);
        var renameFrame = protocol.EncodeEdit(rename);
        var decodedRename = protocol.Decode(renameFrame);

        postFrame.GetText().Should().NotContain("\"kind\"");
        renameFrame.GetText().Should().Be("{\"type\":\"edit\",\"id\":\"" + rename.Id + "\",\"attempt\":2,\"kind\":\"rename\",\"command\":{\"name\":\"lobby\"}}");
        decodedRename.Kind.Should().Be(WireMessageKind.Edit);
        decodedRename.CommandKind.Should().Be("rename");
        decodedRename.Request.Command.Should().Be(new RenameRoom("lobby"));
        decodedRename.TryGetRequest<PostMessage>(out _).Should().BeFalse();
        protocol.Decode(postFrame).Request.Command.Should().Be(new PostMessage("hi"));
        protocol.CommandKinds.Should().BeEquivalentTo(string.Empty, "rename");
    }

    [Fact]
    public void Decode_UnknownKind_IsUnknownCommandWithItsIdAndAttempt()
    {
        var id = EditId.New();

        var decoded = _protocol.Decode(ChannelMessage.Text($$$"""{"type":"edit","id":"{{{id}}}","attempt":4,"kind":"archive","command":{"x":1}}"""));

        decoded.Kind.Should().Be(WireMessageKind.UnknownCommand);
        decoded.CommandKind.Should().Be("archive");
        decoded.Request.Id.Should().Be(id);
        decoded.Request.Attempt.Should().Be(4);
        decoded.ToString().Should().Be("UnknownCommand archive");
    }

    [Fact]
    public void Decode_NoDefaultKind_EditWithoutKindIsUnknownCommand()
    {
        var protocol = new EditWireProtocol().WithCommand("rename", TestJson.Default.RenameRoom);

        var decoded = protocol.Decode(ChannelMessage.Text($$$"""{"type":"edit","id":"{{{EditId.New()}}}","attempt":1,"command":{"name":"x"}}"""));

        decoded.Kind.Should().Be(WireMessageKind.UnknownCommand);
        decoded.CommandKind.Should().BeEmpty();
    }

    [Theory]
    [InlineData("\"kind\":\"\"")]
    [InlineData("\"kind\":3")]
    public void Decode_KindNotANonEmptyString_IsMalformed(string kind)
    {
        var decoded = _protocol.Decode(ChannelMessage.Text($$$"""{"type":"edit","id":"{{{EditId.New()}}}","attempt":1,{{{kind}}},"command":{"text":"x"}}"""));

        decoded.Kind.Should().Be(WireMessageKind.Malformed);
    }

    [Fact]
    public void WithCommand_DuplicateKindOrTypeOrSecondDefault_Throws()
    {
        var protocol = new EditWireProtocol().WithCommand(TestJson.Default.PostMessage);

        var secondDefault = () => protocol.WithCommand(TestJson.Default.RenameRoom);
        var sameType = () => protocol.WithCommand("post", TestJson.Default.PostMessage);
        var sameKind = () => protocol.WithCommand("rename", TestJson.Default.RenameRoom).WithCommand("rename", TestJson.Default.Presence);
        var emptyKind = () => protocol.WithCommand(string.Empty, TestJson.Default.RenameRoom);

        secondDefault.Should().Throw<ArgumentException>();
        sameType.Should().Throw<ArgumentException>();
        sameKind.Should().Throw<ArgumentException>();
        emptyKind.Should().Throw<ArgumentException>();
        protocol.CommandKinds.Should().ContainSingle("a protocol is immutable: a failed or successful WithCommand leaves it as it was");
    }

    [Fact]
    public void EncodeEdit_TypeNotRegistered_Throws()
    {
        var act = () => _protocol.EncodeEdit(new EditRequest<RenameRoom>(EditId.New(), 1, new RenameRoom("x")));

        act.Should().Throw<InvalidOperationException>().WithMessage("*RenameRoom*");
    }
}
