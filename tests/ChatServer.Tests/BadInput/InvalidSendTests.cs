using System.Text.Json.Nodes;
using ChatServer.Shared.Protocol;
using ChatServer.Tests.Support;
using Reactive.Edits.Remote;

namespace ChatServer.Tests.BadInput;

/// <summary>Well-formed edits the server refuses: each gets a <c>reject</c> with its documented code and a message,
/// to the issuer only, and changes nothing.</summary>
public sealed class InvalidSendTests
{
    [Fact]
    public async Task TextOverTheLengthLimit_IsRejectedTooLong()
    {
        await using var host = await ChatHost.StartAsync(o => o.MaxMessageLength = 30);
        await using var bystander = await Bystander.JoinAsync(host);
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var socket = await alice.ConnectRawAsync();

        var reject = await SendAndReceiveRejectAsync(socket, new string('x', 31));

        ((string?)reject["code"]).Should().Be(ChatProtocol.TooLong);
        ((string?)reject["message"]).Should().Be("The message is too long: at most 30 characters.");
        await bystander.AssertServedAndNothingLostAsync();
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \t\n ")]
    public async Task EmptyOrWhiteSpaceText_IsRejectedEmpty(string text)
    {
        await using var host = await ChatHost.StartAsync();
        await using var bystander = await Bystander.JoinAsync(host);
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var socket = await alice.ConnectRawAsync();

        var reject = await SendAndReceiveRejectAsync(socket, text);

        ((string?)reject["code"]).Should().Be(ChatProtocol.Empty);
        ((string?)reject["message"]).Should().Be("The message is empty.");
        bystander.Received.Should().NotContain(f => RawSocket.Is(f, "reject"), "a reject goes to the issuer only");
        await bystander.AssertServedAndNothingLostAsync();
    }

    [Fact]
    public async Task MoreSendsThanTheRate_AreRejectedRateLimited_AndTheEarlierOnesKept()
    {
        await using var host = await ChatHost.StartAsync(o => (o.RateLimitCount, o.RateLimitWindow) = (3, TimeSpan.FromHours(1)));
        await using var bystander = await Bystander.JoinAsync(host);
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var socket = await alice.ConnectRawAsync();
        var ids = Enumerable.Range(0, 6).Select(_ => Guid.NewGuid()).ToList();

        foreach (var id in ids)
        {
            await socket.SendEditAsync(id, 1, """{"text":"quick"}""");
        }
        var answers = new List<JsonObject>();
        foreach (var id in ids)
        {
            answers.Add(await ReceiveAnswerAsync(socket, id));
        }

        answers.Count(a => RawSocket.Is(a, "ack")).Should().Be(3);
        var rejects = answers.Where(a => RawSocket.Is(a, "reject")).ToList();
        rejects.Should().HaveCount(3).And.OnlyContain(r => (string?)r["code"] == ChatProtocol.RateLimited);
        ((string?)rejects[0]["message"]).Should().Be("Too many messages: at most 3 per 3600 seconds. Wait a moment and retry.");
        var accepted = answers.Where(a => RawSocket.Is(a, "ack")).Select(a => Guid.Parse((string)a["id"]!)).ToList();
        (await Bystander.HistoryAsync(host)).Should().Contain(accepted);
        await bystander.AssertServedAndNothingLostAsync();
    }

    [Fact]
    public async Task EditIdReusedWithADifferentCommand_IsRejectedConflicting_AndTheFirstMessageStays()
    {
        await using var host = await ChatHost.StartAsync();
        await using var bystander = await Bystander.JoinAsync(host);
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var socket = await alice.ConnectRawAsync();
        var id = Guid.NewGuid();
        await socket.SendEditAsync(id, 1, """{"text":"original"}""");
        await socket.ReceiveUntilAsync(f => RawSocket.Is(f, "ack", id));

        await socket.SendEditAsync(id, 1, """{"text":"rewritten"}""");
        var reject = await socket.ReceiveUntilAsync(f => RawSocket.Is(f, "reject", id));

        ((string?)reject["code"]).Should().Be(RemoteErrorCodes.ConflictingCommand);
        ((string?)reject["message"]).Should().NotBeNullOrWhiteSpace();
        host.Room.Recent().Should().ContainSingle(m => m.Id == id).Which.Text.Should().Be("original");
        await bystander.AssertServedAndNothingLostAsync();
    }

    [Fact]
    public async Task EditBeforeLogin_IsRejectedNotLoggedIn()
    {
        await using var host = await ChatHost.StartAsync();
        await using var bystander = await Bystander.JoinAsync(host);
        await using var visitor = TestUser.Anonymous(host);
        var socket = await visitor.ConnectRawAsync();

        var reject = await SendAndReceiveRejectAsync(socket, "may I?");

        ((string?)reject["code"]).Should().Be(ChatProtocol.NotLoggedIn);
        ((string?)reject["message"]).Should().Be("Log in to chat: anonymous visitors can read but not send.");
        await bystander.AssertServedAndNothingLostAsync();
    }

    [Theory]
    [InlineData("""{"type":"edit","id":"{0}","attempt":1,"command":{"text":"hi","user":"mallory"}}""")]
    [InlineData("""{"type":"edit","id":"{0}","attempt":1,"user":"mallory","command":{"text":"hi"}}""")]
    public async Task ForgedUserName_IsIgnored_TheAuthorIsTheConnectionsUser(string template)
    {
        await using var host = await ChatHost.StartAsync();
        await using var bystander = await Bystander.JoinAsync(host);
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var socket = await alice.ConnectRawAsync();
        var id = Guid.NewGuid();

        await socket.SendAsync(template.Replace("{0}", id.ToString(), StringComparison.Ordinal));
        var message = await socket.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.MessageType, id));

        ((string?)message["payload"]!["user"]).Should().Be("alice");
        await socket.ReceiveUntilAsync(f => RawSocket.Is(f, "ack", id));
        await bystander.AssertServedAndNothingLostAsync();
        bystander.Received.Should().Contain(f => RawSocket.Is(f, ChatProtocol.MessageType, id) && (string?)f["payload"]!["user"] == "alice");
    }

    private static async Task<JsonObject> SendAndReceiveRejectAsync(RawSocket socket, string text)
    {
        var id = Guid.NewGuid();
        await socket.SendEditAsync(id, 1, new JsonObject { ["text"] = text }.ToJsonString());
        var answer = await ReceiveAnswerAsync(socket, id);
        RawSocket.Is(answer, "reject").Should().BeTrue("the edit must be refused, got {0}", answer.ToJsonString());
        return answer;
    }

    private static Task<JsonObject> ReceiveAnswerAsync(RawSocket socket, Guid id) =>
        socket.ReceiveUntilAsync(f => RawSocket.Is(f, "ack", id) || RawSocket.Is(f, "reject", id));
}
