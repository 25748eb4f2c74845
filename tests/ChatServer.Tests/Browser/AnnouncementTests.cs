using Microsoft.Playwright;
using static ChatServer.Tests.Browser.BrowserChat;
using static Microsoft.Playwright.Assertions;

namespace ChatServer.Tests.Browser;

/// <summary>What a screen reader hears: new messages, the connection state and failed sends, and buttons that say which message they act on.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AnnouncementTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [SkippableFact]
    public async Task MessageList_IsAPoliteLog()
    {
        await using var host = await StartAsync(browser);
        var reader = await OpenAsync(browser, host, null);

        var log = reader.GetByRole(AriaRole.Log);

        await Expect(log).ToHaveAttributeAsync("aria-live", "polite");
        await Expect(log).ToHaveAccessibleNameAsync("Messages");
        await Expect(log.GetByTestId("message")).ToHaveCountAsync(0);
    }

    [SkippableFact]
    public async Task ConnectionState_IsInAStatusRegion()
    {
        await using var host = await StartAsync(browser);
        var reader = await OpenAsync(browser, host, null);

        await Expect(reader.GetByRole(AriaRole.Status).Filter(new() { HasText = "Connected" })).ToHaveCountAsync(1);
    }

    [SkippableFact]
    public async Task FailedSend_IsAnnounced_AndItsButtonsAreNamedAfterTheMessage()
    {
        const string Long = "a rather long message that the buttons' names shorten";
        await using var host = await StartAsync(browser, static o => o.Demo.FailEveryNth = 1);
        var alice = await OpenAsync(browser, host, "alice");

        await SendAsync(alice.GetByTestId("composer"), "hello");
        await Expect(Row(alice, "hello")).ToHaveAttributeAsync("data-state", "Failed");

        await Expect(alice.GetByTestId("announcer")).ToHaveAttributeAsync("role", "status");
        await Expect(alice.GetByTestId("announcer")).ToContainTextAsync("“hello” was not sent: Simulated failure");
        await Expect(alice.GetByRole(AriaRole.Button, new() { Name = "Retry “hello”", Exact = true })).ToBeVisibleAsync();
        await Expect(alice.GetByRole(AriaRole.Button, new() { Name = "Discard “hello”", Exact = true })).ToBeVisibleAsync();

        await SendAsync(alice.GetByTestId("composer"), Long);
        await Expect(Row(alice, Long)).ToHaveAttributeAsync("data-state", "Failed");
        await Expect(alice.GetByRole(AriaRole.Button, new() { Name = "Retry “a rather long message that the…”", Exact = true })).ToBeVisibleAsync();
    }
}
