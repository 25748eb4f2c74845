using System.Net;
using ChatServer.Shared.Protocol;
using ChatServer.Tests.Support;

namespace ChatServer.Tests.Attacks;

/// <summary>Attack: get around the per-user limits by being many users — log in as fast as the server answers, or
/// send under five names from one client (100 messages in 0.2 s) — and so multiply the budget one client has.</summary>
public sealed class RateLimitEvasionTests
{
    private static readonly IPAddress Attacker = IPAddress.Parse("127.0.0.3");
    private static readonly IPAddress Other = IPAddress.Parse("127.0.0.4");

    [Fact]
    public async Task LoginsOverThePerAddressLimit_Get429WithRetryAfter_WhileOtherAddressesLogIn()
    {
        await using var host = await ChatHost.StartAsync(o => (o.LoginRateLimitCount, o.LoginRateLimitWindow) = (3, TimeSpan.FromHours(1)));
        for (var i = 0; i < 3; i++)
        {
            await using var allowed = await TestUser.LoginAsync(host, $"name{i}", Attacker);
        }
        await using var attacker = TestUser.Anonymous(host, Attacker);

        using var refused = await attacker.Http.SendAsync(TestUser.BasicLogin("name3", string.Empty));
        await using var other = await TestUser.LoginAsync(host, "carol", Other);

        refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        refused.Headers.RetryAfter!.Delta.Should().BePositive();
        (await refused.Content.ReadAsStringAsync()).Should().Contain("Too many logins");
        attacker.Cookies.GetCookies(host.Address).Should().BeEmpty();
        other.Name.Should().Be("carol", "another address has its own budget");
    }

    [Fact]
    public async Task ManyNamesFromOneAddress_ShareOneSendBudget_WhileOtherAddressesSend()
    {
        const int names = 5;
        const int perName = 20;
        await using var host = await ChatHost.StartAsync(o => (o.RateLimitCount, o.RateLimitWindow, o.AddressRateLimitCount) = (perName, TimeSpan.FromHours(1), 30));
        var users = new List<TestUser>();
        var sockets = new List<RawSocket>();
        try
        {
            for (var i = 0; i < names; i++)
            {
                users.Add(await TestUser.LoginAsync(host, $"sock{i}", Attacker));
                sockets.Add(await users[^1].ConnectRawAsync());
            }

            // 100 sends, each user's 20 within its own limit: only the address's 30 may pass.
            var replies = await Task.WhenAll(sockets.Select(socket => SendAllAsync(socket, perName)));
            await using var carol = await TestUser.LoginAsync(host, "carol", Other);
            var carols = await SendAllAsync(await carol.ConnectRawAsync(), 1);

            var all = replies.SelectMany(r => r).ToList();
            all.Count(r => r == "ack").Should().Be(30, "one address has one budget, whatever names it uses");
            all.Where(r => r != "ack").Should().OnlyContain(code => code == ChatProtocol.RateLimited);
            carols.Should().Equal(["ack"], "another address is not limited by this one");
        }
        finally
        {
            foreach (var user in users)
            {
                await user.DisposeAsync();
            }
        }
    }

    // Sends count messages as fast as the socket takes them, then returns each reply: "ack", or the reject code.
    private static async Task<List<string>> SendAllAsync(RawSocket socket, int count)
    {
        var ids = Enumerable.Range(0, count).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in ids)
        {
            await socket.SendEditAsync(id, 1, """{"text":"spam"}""");
        }
        var replies = new List<string>();
        foreach (var id in ids)
        {
            var reply = await socket.ReceiveUntilAsync(f => RawSocket.Is(f, "ack", id) || RawSocket.Is(f, "reject", id));
            replies.Add(RawSocket.Is(reply, "ack") ? "ack" : (string)reply["code"]!);
        }
        return replies;
    }
}
