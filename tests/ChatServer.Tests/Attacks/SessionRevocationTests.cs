using System.Net;
using System.Net.Http.Json;
using ChatServer.Shared.Protocol;
using ChatServer.Storage;
using ChatServer.Tests.BadInput;
using ChatServer.Tests.Support;

namespace ChatServer.Tests.Attacks;

/// <summary>Attack: keep using a session after its user logged out — a copied cookie, or a socket opened before the
/// logout — and let the session store grow without bound.</summary>
public sealed class SessionRevocationTests
{
    private const string CookieName = "chat.session";

    [Theory]
    [InlineData(StoreKind.Memory)]
    [InlineData(StoreKind.Sqlite)]
    public async Task Logout_TheOldCookieNoLongerAuthenticatesThePage(StoreKind store)
    {
        var directory = Directory.CreateTempSubdirectory("chat-sessions-");
        try
        {
            await using var host = await ChatHost.StartAsync(o => (o.Store.Kind, o.Store.Path) = (store, Path.Combine(directory.FullName, "chat.db")));
            await using var alice = await TestUser.LoginAsync(host, "alice");
            await using var thief = WithCookieOf(host, alice);

            using var logout = await alice.Http.SendAsync(Logout());
            var me = await thief.Http.GetFromJsonAsync("/auth/me", ChatJsonContext.Default.AuthResult);

            logout.StatusCode.Should().Be(HttpStatusCode.OK);
            me!.User.Should().BeNull("the session ended at logout, so a copy of its cookie is no session");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Logout_TheOldCookieNoLongerAuthenticatesTheSocket()
    {
        await using var host = await ChatHost.StartAsync();
        await using var alice = await TestUser.LoginAsync(host, "alice");
        await using var thief = WithCookieOf(host, alice);

        using var logout = await alice.Http.SendAsync(Logout());
        var socket = await thief.ConnectRawAsync();
        var welcome = await socket.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.WelcomeType));

        ((string?)welcome["payload"]!["user"]).Should().BeNull("a socket opened with the old cookie is anonymous");
    }

    [Fact]
    public async Task Logout_ClosesTheSessionsOpenSockets_WithASessionEndedCodeAndReason()
    {
        await using var host = await ChatHost.StartAsync();
        await using var bystander = await Bystander.JoinAsync(host);
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var first = await alice.ConnectRawAsync();
        var second = await alice.ConnectRawAsync();
        await first.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.WelcomeType));
        await second.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.WelcomeType));

        using var logout = await alice.Http.SendAsync(Logout());
        var (status, reason) = await first.ReceiveCloseAsync();
        var (secondStatus, _) = await second.ReceiveCloseAsync();

        ((int?)status).Should().Be(ChatProtocol.SessionEndedCloseStatus);
        reason.Should().Contain("logged out");
        ((int?)secondStatus).Should().Be(ChatProtocol.SessionEndedCloseStatus, "every socket of the session closes, not just one");
        await bystander.AssertServedAndNothingLostAsync();
    }

    [Fact]
    public async Task SessionsPastTheLimit_EndTheLeastRecentlyUsedOne()
    {
        await using var host = await ChatHost.StartAsync(o => o.MaxSessions = 2);
        await using var alice = await TestUser.LoginAsync(host, "alice");
        await using var bob = await TestUser.LoginAsync(host, "bob");
        (await MeAsync(alice)).Should().Be("alice", "alice used her session after bob logged in: bob's is the older");

        await using var carol = await TestUser.LoginAsync(host, "carol");

        (await MeAsync(carol)).Should().Be("carol");
        (await MeAsync(alice)).Should().Be("alice");
        (await MeAsync(bob)).Should().BeNull("the store holds at most 2 sessions: the least recently used one ended");
    }

    private static async Task<string?> MeAsync(TestUser user) =>
        (await user.Http.GetFromJsonAsync("/auth/me", ChatJsonContext.Default.AuthResult))!.User;

    private static TestUser WithCookieOf(ChatHost host, TestUser user)
    {
        var copy = TestUser.Anonymous(host);
        copy.Cookies.Add(host.Address, new Cookie(CookieName, user.Cookies.GetCookies(host.Address)[CookieName]!.Value));
        return copy;
    }

    // As the page's log-out button sends it: a fetch.
    private static HttpRequestMessage Logout()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/auth/logout");
        request.Headers.Add("Sec-Fetch-Mode", "cors");
        return request;
    }
}
