using ChatServer.Shared.Protocol;
using ChatServer.Tests.BadInput;
using ChatServer.Tests.Support;

namespace ChatServer.Tests.Attacks;

/// <summary>Attack: learn the server's internals from its error texts — a frame the JSON serializer cannot read was
/// answered with the serializer's own message, naming .NET types and giving developer hints ("Consider updating its
/// nullability annotation"). The answer says what is wrong with the frame, in the protocol's terms.</summary>
public sealed class ErrorDisclosureTests
{
    private const string Edit = """{"type":"edit","id":"6f1c2a0e-6d2b-4a43-9d6e-0e0f4a9a1b2c","attempt":1,"command":""";

    [Theory]
    [InlineData("""{"text":null}}""", "The command could not be read: property 'text' must not be null.")]
    [InlineData("""{}}""", "The command could not be read: property 'text' is missing.")]
    [InlineData("""{"other":"hi"}}""", "The command could not be read: property 'text' is missing.")]
    [InlineData("""{"text":5}}""", "The command could not be read: property 'text' must be a string, not a number.")]
    [InlineData("""{"text":["a"]}}""", "The command could not be read: property 'text' must be a string, not an array.")]
    [InlineData("\"hi\"}", "The command could not be read: it must be a JSON object, not a string.")]
    [InlineData("""[1]}""", "The command could not be read: it must be a JSON object, not an array.")]
    public async Task UnreadableCommand_IsDescribedWithoutTypeNamesOrDeveloperHints(string command, string expected)
    {
        await using var host = await ChatHost.StartAsync();
        await using var bystander = await Bystander.JoinAsync(host);
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var socket = await alice.ConnectRawAsync();

        await socket.SendAsync(Edit + command);
        var error = await socket.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.ErrorType));

        var message = (string)error["payload"]!["message"]!;
        message.Should().Be(expected);
        message.Should().NotContainAny("System.", "ChatServer.", "Consider", "nullability", "SendMessage");
        await bystander.AssertServedAndNothingLostAsync();
    }
}
