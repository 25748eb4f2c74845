using System.Net;
using System.Net.WebSockets;
using System.Security.Claims;
using ChatServer.Shared.Protocol;
using ChatServer.Tests.Support;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace ChatServer.Tests.BadInput;

/// <summary>Who may connect, and how: origin, cookie, connections per user, and a handshake that never ends.</summary>
public sealed class ConnectionPolicyTests
{
    private const string CookieName = "chat.session";

    [Fact]
    public async Task UpgradeFromAWrongOrigin_Is403()
    {
        await using var host = await ChatHost.StartAsync();
        await using var bystander = await Bystander.JoinAsync(host);
        await using var alice = await TestUser.LoginAsync(host, "alice");

        var status = await RefusedUpgradeStatusAsync(alice, "http://evil.example");

        status.Should().Be(HttpStatusCode.Forbidden);
        await bystander.AssertServedAndNothingLostAsync();
    }

    [Fact]
    public async Task UpgradeWithoutOrigin_Is403WithAReason()
    {
        await using var host = await ChatHost.StartAsync();
        await using var bystander = await Bystander.JoinAsync(host);
        await using var alice = await TestUser.LoginAsync(host, "alice");

        var status = await RefusedUpgradeStatusAsync(alice, origin: null);
        var response = await RawHttp.SendAndReadUntilClosedAsync(host.Address, RawHttp.Upgrade(host.Address, ChatProtocol.SocketPath, "Connection: close"));

        status.Should().Be(HttpStatusCode.Forbidden);
        response.Should().StartWith("HTTP/1.1 403").And.Contain("The Origin header is required.");
        await bystander.AssertServedAndNothingLostAsync();
    }

    [Fact]
    public async Task SocketPathWithoutUpgrade_Is400()
    {
        await using var host = await ChatHost.StartAsync();
        await using var bystander = await Bystander.JoinAsync(host);
        await using var reader = TestUser.Anonymous(host);

        using var response = await reader.Http.GetAsync(ChatProtocol.SocketPath);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Be("This endpoint accepts WebSocket requests only.");
        await bystander.AssertServedAndNothingLostAsync();
    }

    [Fact]
    public async Task NoCookie_ConnectsAnonymouslyToRead_ButNotToSend()
    {
        await using var host = await ChatHost.StartAsync();
        await using var bystander = await Bystander.JoinAsync(host);
        await using var visitor = TestUser.Anonymous(host);
        var socket = await visitor.ConnectRawAsync();

        var welcome = await socket.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.WelcomeType));
        var history = await socket.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.HistoryType));
        var id = Guid.NewGuid();
        await socket.SendEditAsync(id, 1, """{"text":"let me in"}""");
        var reject = await socket.ReceiveUntilAsync(f => RawSocket.Is(f, "reject", id));

        welcome["payload"]!["user"].Should().BeNull();
        history["payload"]!["messages"]!.AsArray().Select(m => (string?)m!["id"]).Should().Contain(bystander.Earlier.ToString());
        ((string?)reject["code"]).Should().Be(ChatProtocol.NotLoggedIn);
        var later = await bystander.AssertServedAndNothingLostAsync();
        var live = await socket.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.MessageType, later));
        ((string?)live["payload"]!["user"]).Should().Be("bystander", "an anonymous reader receives the live messages");
    }

    [Fact]
    public async Task ExpiredCookie_IsAnonymous()
    {
        await using var host = await ChatHost.StartAsync();
        await using var bystander = await Bystander.JoinAsync(host);
        var now = TimeProvider.System.GetUtcNow();
        await using var valid = TestUser.Anonymous(host);
        valid.Cookies.Add(host.Address, new Cookie(CookieName, await SessionCookieAsync(host, "alice", expires: now.AddHours(1))));
        await using var expired = TestUser.Anonymous(host);
        expired.Cookies.Add(host.Address, new Cookie(CookieName, await SessionCookieAsync(host, "alice", expires: now.AddMinutes(-1))));

        var validUser = await WelcomeUserAsync(valid);
        var expiredUser = await WelcomeUserAsync(expired);

        validUser.Should().Be("alice", "the same ticket, not yet expired, authenticates");
        expiredUser.Should().BeNull("an expired session is no session: the connection is anonymous, read-only");
        await bystander.AssertServedAndNothingLostAsync();
    }

    [Fact]
    public async Task TamperedCookie_IsAnonymous()
    {
        await using var host = await ChatHost.StartAsync();
        await using var bystander = await Bystander.JoinAsync(host);
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var cookie = alice.Cookies.GetCookies(host.Address)[CookieName]!;
        var middle = cookie.Value.Length / 2;
        await using var mallory = TestUser.Anonymous(host);
        var flipped = cookie.Value[middle] == 'A' ? 'B' : 'A';
        mallory.Cookies.Add(host.Address, new Cookie(CookieName, cookie.Value[..middle] + flipped + cookie.Value[(middle + 1)..]));

        (await WelcomeUserAsync(alice)).Should().Be("alice");
        (await WelcomeUserAsync(mallory)).Should().BeNull("a cookie that fails its signature check is no session");
        await bystander.AssertServedAndNothingLostAsync();
    }

    [Fact]
    public async Task SessionCookie_IsHttpOnlyAndSameSiteStrict()
    {
        await using var host = await ChatHost.StartAsync();
        await using var visitor = TestUser.Anonymous(host);

        using var response = await visitor.Http.SendAsync(TestUser.BasicLogin("alice", string.Empty));

        var setCookie = response.Headers.GetValues("Set-Cookie").Should().ContainSingle().Subject;
        setCookie.Should().StartWith(CookieName + "=").And.Contain("httponly").And.Contain("samesite=strict");
        setCookie.Should().NotContain("secure", "over plain HTTP the cookie cannot be Secure (SameAsRequest: Secure over HTTPS)");
    }

    [Fact]
    public async Task ConnectionsOverThePerUserLimit_AreClosedWith1008_UntilOneCloses()
    {
        await using var host = await ChatHost.StartAsync(o => o.MaxConnectionsPerUser = 2);
        await using var bystander = await Bystander.JoinAsync(host);
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var first = await alice.ConnectRawAsync();
        await first.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.WelcomeType));
        var second = await alice.ConnectRawAsync();
        await second.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.WelcomeType));

        var third = await alice.ConnectRawAsync();
        var (status, reason) = await third.ReceiveCloseAsync();

        status.Should().Be(WebSocketCloseStatus.PolicyViolation);
        reason.Should().Be("Too many connections: at most 2 per user.");
        await bystander.AssertServedAndNothingLostAsync();
        // The first is still served; once it closes, its place is free again.
        var id = Guid.NewGuid();
        await first.SendEditAsync(id, 1, """{"text":"first tab"}""");
        await first.ReceiveUntilAsync(f => RawSocket.Is(f, "ack", id));
        await first.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        (await ConnectWhenAPlaceIsFreeAsync(alice)).Should().Be("alice");
    }

    [Fact]
    public async Task HandshakeThatNeverCompletes_IsCutOffWith408()
    {
        await using var host = await ChatHost.StartAsync(o => o.HandshakeTimeout = TimeSpan.FromSeconds(1));
        await using var bystander = await Bystander.JoinAsync(host);
        var upgrade = RawHttp.Upgrade(host.Address, ChatProtocol.SocketPath, $"Origin: {ChatHost.TestOrigin}");

        // Everything but the blank line that ends the headers, then silence.
        var response = await RawHttp.SendAndReadUntilClosedAsync(host.Address, upgrade[..^2]);

        response.Should().StartWith("HTTP/1.1 408");
        await bystander.AssertServedAndNothingLostAsync();
    }

    [Theory]
    [InlineData(0, 10, "Chat:MaxFrameSize must be at least 1 byte.")]
    [InlineData(65536, 0, "Chat:MaxConnectionsPerUser must be at least 1.")]
    public async Task LimitsThatAllowNothing_FailAtStartupWithTheOptionsName(int maxFrameSize, int maxConnectionsPerUser, string expected)
    {
        var start = () => ChatHost.StartAsync(o => (o.MaxFrameSize, o.MaxConnectionsPerUser) = (maxFrameSize, maxConnectionsPerUser));

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain(expected);
    }

    [Theory]
    [InlineData(20_000, 65536)]
    [InlineData(500, 2048)]
    [InlineData(0, 65536)]
    public async Task MessageLengthThatNoFrameCanCarry_FailsAtStartupWithTheOptionsName(int maxMessageLength, int maxFrameSize)
    {
        var start = () => ChatHost.StartAsync(o => (o.MaxMessageLength, o.MaxFrameSize) = (maxMessageLength, maxFrameSize));

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("Chat:MaxMessageLength must be at least 1, and a message must fit in one frame");
    }

    [Fact]
    public async Task LongestMessageThatFitsAFrame_IsAcceptedAtStartup()
    {
        // (65,536 - 1,536) / 6 = 10,666 characters: the largest length whose worst-case frame fits the client's limit.
        await using var host = await ChatHost.StartAsync(o => o.MaxMessageLength = 10_666);

        host.Room.Should().NotBeNull();
    }

    private static async Task<HttpStatusCode> RefusedUpgradeStatusAsync(TestUser user, string? origin)
    {
        using var socket = new ClientWebSocket();
        socket.Options.Cookies = user.Cookies;
        socket.Options.CollectHttpResponseDetails = true;
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }
        var connect = () => socket.ConnectAsync(user.SocketUri, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        await connect.Should().ThrowAsync<WebSocketException>();
        return socket.HttpStatusCode;
    }

    // A session as the server's own cookie handler makes it: the ticket in the session store, and a cookie (signed and
    // encrypted by Data Protection) that carries only the session id, in the handler's claim.
    private static async Task<string> SessionCookieAsync(ChatHost host, string user, DateTimeOffset expires)
    {
        const string scheme = CookieAuthenticationDefaults.AuthenticationScheme;
        var options = host.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(scheme);
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], scheme));
        var properties = new AuthenticationProperties { IssuedUtc = expires.AddDays(-1), ExpiresUtc = expires };
        var sessionId = await options.SessionStore!.StoreAsync(new AuthenticationTicket(principal, properties, scheme));
        var carrier = new ClaimsPrincipal(new ClaimsIdentity([new Claim("Microsoft.AspNetCore.Authentication.Cookies-SessionId", sessionId)], options.ClaimsIssuer));
        return options.TicketDataFormat.Protect(new AuthenticationTicket(carrier, properties, scheme));
    }

    private static async Task<string?> WelcomeUserAsync(TestUser user)
    {
        var socket = await user.ConnectRawAsync();
        var welcome = await socket.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.WelcomeType));
        return (string?)welcome["payload"]!["user"];
    }

    // The place is given back when the server has finished the closed connection, a moment after the client saw
    // the close: try again (each try gets a real answer, welcome or 1008) until one is welcomed.
    private static async Task<string?> ConnectWhenAPlaceIsFreeAsync(TestUser user)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var socket = await user.ConnectRawAsync();
            var buffer = new byte[64 * 1024];
            var result = await socket.Socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            if (result.MessageType != WebSocketMessageType.Close)
            {
                var welcome = System.Text.Json.Nodes.JsonNode.Parse(buffer.AsSpan(0, result.Count))!;
                return (string?)welcome["payload"]!["user"];
            }
        }
        throw new InvalidOperationException("No place was freed after a connection closed.");
    }
}
