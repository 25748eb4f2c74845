using System.Net;
using System.Net.Http.Json;
using ChatServer.Presence;
using ChatServer.Shared.Protocol;
using System.Reactive;
using System.Reactive.Linq;
using ChatServer.Tests.Faults;
using ChatServer.Tests.Support;
using Reactive.Edits;
using Reactive.Edits.Remote;

namespace ChatServer.Tests.Attacks;

/// <summary>Attack: pass for another user with a name that looks like theirs — invisible characters, a bidi override
/// ("\u202Enimda" displays as "admin"), another case or another Unicode normalization — and so get a second connection
/// allowance, rate budget and presence entry; or post messages that show nothing.</summary>
public sealed class UserNameSpoofingTests
{
    [Theory]
    [InlineData("\u202Enimda")]
    [InlineData("ad\u2066min\u2069")]
    [InlineData("ad\u200Fmin")]
    [InlineData("ad\u061Cmin")]
    [InlineData("\u200B\u200C\u200D")]
    [InlineData("\u2060\uFEFF")]
    [InlineData("\u3164")]
    [InlineData("\u0301\u0301")]
    public async Task NameWithoutAVisibleCharacterOrWithBidiControls_IsRefusedWithAClearMessage(string name)
    {
        await using var host = await ChatHost.StartAsync();
        await using var visitor = TestUser.Anonymous(host);

        using var response = await visitor.Http.SendAsync(TestUser.BasicLogin(name, string.Empty));
        var result = await response.Content.ReadFromJsonAsync(ChatJsonContext.Default.AuthResult);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        result!.Error.Should().Contain("user name");
        visitor.Cookies.GetCookies(host.Address).Should().BeEmpty();
    }

    [Fact]
    public async Task DecomposedName_IsNormalizedToComposedForm()
    {
        await using var host = await ChatHost.StartAsync();
        await using var zoe = await TestUser.LoginAsync(host, "Zoe\u0301");

        var me = await zoe.Http.GetFromJsonAsync("/auth/me", ChatJsonContext.Default.AuthResult);

        me!.User.Should().Be("Zo\u00E9");
    }

    [Fact]
    public async Task NamesDifferingInCaseOrNormalization_ShareTheConnectionLimit()
    {
        await using var host = await ChatHost.StartAsync(o => o.MaxConnectionsPerUser = 1);
        await using var zoe = await TestUser.LoginAsync(host, "Zo\u00E9");
        await using var lookalike = await TestUser.LoginAsync(host, "zoe\u0301");
        await zoe.ConnectRawAsync();

        var second = await lookalike.ConnectRawAsync();
        var (status, _) = await second.ReceiveCloseAsync();

        status.Should().Be(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, "'zoé' is the same user as 'Zoé'");
    }

    [Fact]
    public async Task NamesDifferingInCase_ShareTheRateBudget()
    {
        await using var host = await ChatHost.StartAsync(o => (o.RateLimitCount, o.RateLimitWindow) = (2, TimeSpan.FromHours(1)));
        await using var upper = await TestUser.LoginAsync(host, "Alice");
        await using var lower = await TestUser.LoginAsync(host, "alice");

        (await (await upper.ConnectAsync()).SendAndSettleAsync("1")).Status.Should().Be(EditStatus.Accepted);
        (await (await upper.ConnectAsync()).SendAndSettleAsync("2")).Status.Should().Be(EditStatus.Accepted);
        var third = await (await lower.ConnectAsync()).SendAndSettleAsync("3");

        third.Error.Should().BeOfType<RemoteEditRejectedException>().Which.Code.Should().Be(ChatProtocol.RateLimited);
    }

    [Fact]
    public async Task NamesDifferingInCase_AreOnePresenceEntry()
    {
        await using var host = await ChatHost.StartAsync();
        await using var upper = await TestUser.LoginAsync(host, "Alice");
        await using var lower = await TestUser.LoginAsync(host, "alice");

        var presence = host.Services.GetRequiredService<PresenceTracker>();
        await upper.ConnectAsync();
        await lower.ConnectAsync();

        // The tracker counts a connection a moment after its welcome: wait for both tabs, or fail on a second entry.
        List<PresenceEntry> Present() => presence.Entries.Where(e => !e.IsAnonymous).ToList();
        await Eventually.HoldsAsync(() => Present().Sum(e => e.Tabs) == 2, "both connections are present", presence.Connect().Select(_ => Unit.Default));
        Present().Should().ContainSingle().Which.Should().Be(new PresenceEntry("Alice", 2), "the first spelling is shown, with both tabs");
    }

    [Theory]
    [InlineData("\u200B\u200D\u2060")]
    [InlineData("\u202E\u202C")]
    [InlineData(" \u3164 ")]
    public async Task MessageOfOnlyInvisibleCharacters_IsRejectedAsEmpty(string text)
    {
        await using var host = await ChatHost.StartAsync();
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var client = await alice.ConnectAsync();

        var edit = await client.SendAndSettleAsync(text);

        edit.Error.Should().BeOfType<RemoteEditRejectedException>().Which.Code.Should().Be(ChatProtocol.Empty);
    }
}
