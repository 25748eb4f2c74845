using ChatServer.Tests.Support;
using Microsoft.Playwright;
using static ChatServer.Tests.Browser.BrowserChat;
using static Microsoft.Playwright.Assertions;

namespace ChatServer.Tests.Browser;

/// <summary>The message list keeps to the newest message, as a chat does, unless the reader has scrolled up to read.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ScrollingTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    // Far more than a screenful of rows at 800 x 600.
    private const int HistoryLength = 40;

    [SkippableFact]
    public async Task Load_WithMoreThanAScreenfulOfHistory_OpensAtTheNewest()
    {
        await using var host = await StartWithHistoryAsync();

        var alice = await OpenAtTheNewestAsync(host);

        await Expect(alice.GetByTestId("message")).ToHaveCountAsync(HistoryLength);
        await Expect(Row(alice, "history 1")).Not.ToBeInViewportAsync();
    }

    [SkippableFact]
    public async Task NewMessages_WhileTheReaderIsAtTheNewest_AreFollowed_OwnPendingRowIncluded()
    {
        await using var host = await StartWithHistoryAsync();
        await using var carol = await TestUser.LoginAsync(host, "carol");
        var carolClient = await carol.ConnectAsync();
        var alice = await OpenAtTheNewestAsync(host);
        SetDemo(host, TimeSpan.FromSeconds(3));

        await SendAsync(alice.GetByTestId("composer"), "mine");
        var mine = Row(alice, "mine");
        await Expect(mine).ToHaveAttributeAsync("data-state", "Pending");
        await Expect(mine).ToBeInViewportAsync();

        carolClient.Send("from carol");
        await Expect(Row(alice, "from carol")).ToBeInViewportAsync(new() { Timeout = 15_000 });
    }

    [SkippableFact]
    public async Task NewMessages_AfterTheReaderScrolledUp_KeepThePlace_AndAreOfferedByAButton()
    {
        await using var host = await StartWithHistoryAsync();
        await using var carol = await TestUser.LoginAsync(host, "carol");
        var carolClient = await carol.ConnectAsync();
        var alice = await OpenAtTheNewestAsync(host);

        // As a reader does: the wheel over the list, up to the oldest message.
        await alice.GetByTestId("messages").HoverAsync();
        await alice.Mouse.WheelAsync(0, -100_000);
        await Expect(Row(alice, "history 1")).ToBeInViewportAsync();
        await SendManyAsync(carolClient, "later", 3);

        await Expect(alice.GetByTestId("message")).ToHaveCountAsync(HistoryLength + 3);
        var offer = alice.GetByRole(AriaRole.Button, new() { Name = "3 new messages" });
        await Expect(offer).ToBeVisibleAsync();
        await Expect(Row(alice, "history 1")).ToBeInViewportAsync();
        await Expect(Row(alice, "later 3")).Not.ToBeInViewportAsync();

        await offer.ClickAsync();

        await Expect(Row(alice, "later 3")).ToBeInViewportAsync();
        await Expect(alice.GetByTestId("new-messages")).ToHaveCountAsync(0);
    }

    // Alice's page, once it shows the newest message of the history.
    private async Task<IPage> OpenAtTheNewestAsync(ChatHost host)
    {
        var alice = await OpenAsync(browser, host, "alice");
        await Expect(Row(alice, $"history {HistoryLength}")).ToBeInViewportAsync();
        return alice;
    }

    private async Task<ChatHost> StartWithHistoryAsync()
    {
        var host = await StartAsync(browser, static o => o.RateLimitCount = 1000);
        await using var carol = await TestUser.LoginAsync(host, "carol");
        await SendManyAsync(await carol.ConnectAsync(), "history", HistoryLength);
        return host;
    }
}
