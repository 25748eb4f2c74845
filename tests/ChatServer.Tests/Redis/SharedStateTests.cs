using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Xml.Linq;
using ChatServer.Shared;
using ChatServer.Shared.Protocol;
using ChatServer.Storage.Redis;
using ChatServer.Tests.BadInput;
using ChatServer.Tests.Support;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Reactive.Edits.ChangeSets;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ChatServer.Tests.Redis;

/// <summary>Two or three chat nodes in this process sharing one real <c>redis-server</c> (Chat:Redis): a cookie, a
/// logout, presence and the per-user limits hold over all of them.</summary>
public sealed class SharedStateTests(ITestOutputHelper output)
{
    private const string CookieName = "chat.session";

    [SkippableFact]
    public async Task Cookie_MadeOnNodeA_AuthenticatesOnNodeB_WithTheKeysInRedis()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await ChatHost.StartNodeAsync(redis.EndPoint);
        await using var b = await ChatHost.StartNodeAsync(redis.EndPoint);
        await using var alice = await TestUser.LoginAsync(a, "alice");
        await using var onB = WithCookieOf(b, alice, a);

        var me = await onB.Http.GetFromJsonAsync("/auth/me", ChatJsonContext.Default.AuthResult);
        var socket = await onB.ConnectRawAsync();
        var welcome = await socket.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.WelcomeType));

        me!.User.Should().Be("alice", "node B unprotects node A's cookie and finds its session in Redis");
        ((string?)welcome["payload"]!["user"]).Should().Be("alice");
        var inRedis = await KeyIdsInRedisAsync(redis);
        inRedis.Should().NotBeEmpty("the Data Protection keys are kept in Redis");
        foreach (var node in new[] { a, b })
        {
            node.Services.GetRequiredService<IKeyManager>().GetAllKeys().Select(k => k.KeyId)
                .Should().BeSubsetOf(inRedis, "every node uses the key ring kept in Redis");
        }
    }

    [SkippableFact]
    public async Task Logout_OnNodeA_ClosesTheSessionsSocketOnNodeB_With4401()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await ChatHost.StartNodeAsync(redis.EndPoint);
        await using var b = await ChatHost.StartNodeAsync(redis.EndPoint);
        await using var bystander = await Bystander.JoinAsync(b);
        await using var alice = await TestUser.LoginAsync(a, "alice");
        await using var onB = WithCookieOf(b, alice, a);
        var socket = await onB.ConnectRawAsync();
        await socket.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.WelcomeType));

        using var logout = await alice.Http.SendAsync(Logout());
        var (status, reason) = await socket.ReceiveCloseAsync();
        var me = await onB.Http.GetFromJsonAsync("/auth/me", ChatJsonContext.Default.AuthResult);

        logout.StatusCode.Should().Be(HttpStatusCode.OK);
        ((int?)status).Should().Be(ChatProtocol.SessionEndedCloseStatus, "the logout on A reached B over Redis pub/sub");
        reason.Should().Contain("logged out");
        me!.User.Should().BeNull("the session is gone from Redis for every node");
        await bystander.AssertServedAndNothingLostAsync();
    }

    [SkippableFact]
    public async Task Presence_ATabOnNodeAAndOneOnNodeB_AreTwoTabsForTheClientsOfBothNodes()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await ChatHost.StartNodeAsync(redis.EndPoint);
        await using var b = await ChatHost.StartNodeAsync(redis.EndPoint);
        await using var watcherA = TestUser.Anonymous(a);
        await using var watcherB = TestUser.Anonymous(b);
        using var seenOnA = new LiveCollection<PresenceEntry, string>((await watcherA.ConnectAsync()).Presence);
        using var seenOnB = new LiveCollection<PresenceEntry, string>((await watcherB.ConnectAsync()).Presence);
        await using var aliceOnA = await TestUser.LoginAsync(a, "alice");
        await using var aliceOnB = await TestUser.LoginAsync(b, "Alice");

        await aliceOnA.ConnectAsync();
        await aliceOnB.ConnectAsync();

        foreach (var seen in new[] { seenOnA, seenOnB })
        {
            await seen.WaitUntilAsync(p => Tabs(p, "alice") == 2 && Tabs(p, PresenceEntry.AnonymousKey) == 2, TimeSpan.FromSeconds(10));
        }
        await aliceOnB.DisposeAsync();
        foreach (var seen in new[] { seenOnA, seenOnB })
        {
            await seen.WaitUntilAsync(p => Tabs(p, "alice") == 1, TimeSpan.FromSeconds(10));
        }
    }

    [SkippableFact]
    public async Task Presence_NodeCutOffFromRedisWithoutAWord_DropsOutWithinTheNodeTimeout()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await ChatHost.StartNodeAsync(redis.EndPoint);
        await using var b = await ChatHost.StartNodeAsync(redis.EndPoint);
        await using var watcher = TestUser.Anonymous(a);
        using var seen = new LiveCollection<PresenceEntry, string>((await watcher.ConnectAsync()).Presence);
        await using var bob = await TestUser.LoginAsync(b, "bob");
        await bob.ConnectAsync();
        await seen.WaitUntilAsync(p => Tabs(p, "bob") == 1, TimeSpan.FromSeconds(10));

        // Node B goes silent: its connection to Redis closes, its sockets stay open, it says nothing to anyone.
        var silenced = Stopwatch.StartNew();
        await b.Services.GetRequiredService<SharedRedisConnection>().Multiplexer.CloseAsync(allowCommandsToComplete: false);
        await seen.WaitUntilAsync(p => Tabs(p, "bob") == 0, TimeSpan.FromSeconds(10));
        silenced.Stop();

        output.WriteLine($"bob's tab on the silent node left node A's presence after {silenced.Elapsed.TotalMilliseconds:0} ms (NodeTimeout 1,000 ms, NodeHeartbeat 200 ms)");
        silenced.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3), "the node's hash expires after NodeTimeout (1 s) and the others read every heartbeat (0.2 s)");
    }

    [SkippableFact]
    public async Task Presence_ReconnectOnAnotherNodeWithinTheGrace_ShowsNoChange()
    {
        await using var redis = await RedisServer.StartAsync();
        // Node A's grace window runs in virtual time; its syncs with Redis are driven by changes, not by the clock.
        var time = new FakeTimeProvider();
        await using var a = await ChatHost.StartNodeAsync(redis.EndPoint, o => o.PresenceGrace = TimeSpan.FromSeconds(3), time);
        await using var b = await ChatHost.StartNodeAsync(redis.EndPoint, o => o.PresenceGrace = TimeSpan.FromSeconds(3));
        var presenceOnA = a.Services.GetRequiredService<RedisPresence>();
        await using var watcher = TestUser.Anonymous(a);
        using var seen = new LiveCollection<PresenceEntry, string>((await watcher.ConnectAsync()).Presence);
        await using var carol = await TestUser.LoginAsync(b, "carol");
        await using var carolOnA = WithCookieOf(a, carol, b);
        var first = await carolOnA.ConnectRawAsync();
        await first.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.WelcomeType));
        await seen.WaitUntilAsync(p => Tabs(p, "carol") == 1, TimeSpan.FromSeconds(10));

        var leaving = presenceOnA.WhenLeaveScheduled("carol");
        first.Socket.Abort();
        await leaving.WaitAsync(TimeSpan.FromSeconds(10));
        var second = await carol.ConnectRawAsync();
        await second.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.WelcomeType));
        await Faults.Eventually.HoldsAsync(() => presenceOnA.OtherNodesTabs("carol") == 1, "node A read carol's tab on node B", presenceOnA.Synced, TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(10));
        // A change after it, to be sure the watcher has seen everything node A sent before.
        await using var probe = await TestUser.LoginAsync(a, "probe");
        await probe.ConnectRawAsync();
        await seen.WaitUntilAsync(p => Tabs(p, "probe") == 1, TimeSpan.FromSeconds(10));

        seen.Changes.Where(c => c.Key == "carol").Should().ContainSingle("the reconnect on node B took the place of the tab closed on A within the grace window")
            .Which.Current.Tabs.Should().Be(1);
    }

    [SkippableFact]
    public async Task RateLimit_SendsAlternatedBetweenTwoNodes_AreRefusedAfterTheLimitInTotal()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await ChatHost.StartNodeAsync(redis.EndPoint, o => o.RateLimitCount = 4);
        await using var b = await ChatHost.StartNodeAsync(redis.EndPoint, o => o.RateLimitCount = 4);
        await using var dave = await TestUser.LoginAsync(a, "dave");
        await using var daveOnB = WithCookieOf(b, dave, a);
        var onA = await dave.ConnectRawAsync();
        var onB = await daveOnB.ConnectRawAsync();

        var codes = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            codes.AddRange(await onA.SendEditsAndReceiveCodesAsync([$$"""{"text":"on A {{i}}"}"""]));
            codes.AddRange(await onB.SendEditsAndReceiveCodesAsync([$$"""{"text":"on B {{i}}"}"""]));
        }

        codes.Should().Equal("ack", "ack", "ack", "ack", ChatProtocol.RateLimited, ChatProtocol.RateLimited);
    }

    [SkippableFact]
    public async Task RateLimit_WhileRedisIsDown_EachNodeCountsAlone()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await ChatHost.StartNodeAsync(redis.EndPoint, o => o.RateLimitCount = 2);
        await using var b = await ChatHost.StartNodeAsync(redis.EndPoint, o => o.RateLimitCount = 2);
        await using var erin = await TestUser.LoginAsync(a, "erin");
        await using var erinOnB = WithCookieOf(b, erin, a);
        var onA = await erin.ConnectRawAsync();
        var onB = await erinOnB.ConnectRawAsync();
        await onA.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.WelcomeType));
        await onB.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.WelcomeType));

        await redis.KillAsync();
        var codesOnA = await onA.SendEditsAndReceiveCodesAsync(["""{"text":"a1"}""", """{"text":"a2"}""", """{"text":"a3"}"""]);
        var codesOnB = await onB.SendEditsAndReceiveCodesAsync(["""{"text":"b1"}""", """{"text":"b2"}""", """{"text":"b3"}"""]);

        codesOnA.Should().Equal("ack", "ack", ChatProtocol.RateLimited);
        codesOnB.Should().Equal(["ack", "ack", ChatProtocol.RateLimited], "without Redis each node counts the user's sends alone");
        a.Logs.Entries.Should().Contain(e => e.EventId.Id == 321 && e.Message.Contains("send rate", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task ConnectionLimit_IsCountedOverBothNodes_AndAClosedSocketFreesItsPlace()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await ChatHost.StartNodeAsync(redis.EndPoint, o => o.MaxConnectionsPerUser = 2);
        await using var b = await ChatHost.StartNodeAsync(redis.EndPoint, o => o.MaxConnectionsPerUser = 2);
        await using var frank = await TestUser.LoginAsync(a, "frank");
        await using var frankOnB = WithCookieOf(b, frank, a);
        var first = await frank.ConnectRawAsync();
        await first.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.WelcomeType));
        var second = await frankOnB.ConnectRawAsync();
        await second.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.WelcomeType));

        var thirdOnA = await frank.ConnectRawAsync();
        var thirdOnB = await frankOnB.ConnectRawAsync();
        var (statusOnA, reason) = await thirdOnA.ReceiveCloseAsync();
        var (statusOnB, _) = await thirdOnB.ReceiveCloseAsync();

        statusOnA.Should().Be(WebSocketCloseStatus.PolicyViolation, "frank has one socket on each node: two, the limit");
        reason.Should().Be("Too many connections: at most 2 per user.");
        statusOnB.Should().Be(WebSocketCloseStatus.PolicyViolation);
        await second.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        (await WelcomedUserWhenAPlaceIsFreeAsync(frank)).Should().Be("frank", "the socket closed on B gave its place back in Redis");
    }

    private static int Tabs(IReadOnlyDictionary<string, PresenceEntry> presence, string user) =>
        presence.Values.Where(e => string.Equals(e.User, user, StringComparison.OrdinalIgnoreCase)).Sum(e => e.Tabs);

    // The closing socket's place is given back when its connection ends on the server, just after the close: try again
    // (each try gets a real answer, a welcome or 1008) until one is welcomed.
    private static async Task<string?> WelcomedUserWhenAPlaceIsFreeAsync(TestUser user)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var socket = await user.ConnectRawAsync();
            try
            {
                var welcome = await socket.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.WelcomeType));
                return (string?)welcome["payload"]!["user"];
            }
            catch (InvalidOperationException)
            {
                // Closed with 1008: the place was not free yet.
            }
        }
        throw new TimeoutException("No place became free in 50 tries.");
    }

    private static async Task<HashSet<Guid>> KeyIdsInRedisAsync(RedisServer redis)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.EndPoint);
        var entries = await connection.GetDatabase().ListRangeAsync("{chat}:data-protection-keys");
        return [.. entries.Select(e => Guid.Parse(XElement.Parse(e!).Attribute("id")!.Value))];
    }

    // A user of another node who holds the cookie that the login on the first node set.
    private static TestUser WithCookieOf(ChatHost host, TestUser user, ChatHost loggedInOn)
    {
        var copy = TestUser.Anonymous(host);
        copy.Cookies.Add(host.Address, new Cookie(CookieName, user.Cookies.GetCookies(loggedInOn.Address)[CookieName]!.Value));
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
