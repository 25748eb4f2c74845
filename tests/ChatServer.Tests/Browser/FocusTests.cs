using Microsoft.Playwright;
using static ChatServer.Tests.Browser.BrowserChat;
using static Microsoft.Playwright.Assertions;

namespace ChatServer.Tests.Browser;

/// <summary>Where the keyboard focus is: in the message input when the page is ready to write, never lost to the page's body.</summary>
[Collection(BrowserCollection.Name)]
public sealed class FocusTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [SkippableFact]
    public async Task Load_WhenLoggedIn_PutsTheFocusInTheInput()
    {
        await using var host = await StartAsync(browser);
        var alice = await OpenAsync(browser, host, "alice");
        await Expect(alice.GetByTestId("composer")).ToBeFocusedAsync();

        // A fresh load with the login cookie already set.
        await alice.ReloadAsync();

        await Expect(alice.GetByTestId("composer")).ToBeEnabledAsync(new() { Timeout = 30_000 });
        await Expect(alice.GetByTestId("composer")).ToBeFocusedAsync();
    }

    [SkippableFact]
    public async Task Send_WithTheButton_LeavesTheFocusInTheInput()
    {
        await using var host = await StartAsync(browser);
        var alice = await OpenAsync(browser, host, "alice");
        var composer = alice.GetByTestId("composer");

        await composer.FillAsync("by button");
        await alice.GetByTestId("send").ClickAsync();

        await Expect(Row(alice, "by button")).ToHaveCountAsync(1);
        await Expect(composer).ToHaveValueAsync(string.Empty);
        await Expect(composer).ToBeFocusedAsync();
    }

    [SkippableFact]
    public async Task RetryAndDiscard_ByKeyboard_MoveTheFocusToTheInput_NeverToTheBody()
    {
        await using var host = await StartAsync(browser, static o => o.Demo.FailEveryNth = 1);
        var alice = await OpenAsync(browser, host, "alice");
        var composer = alice.GetByTestId("composer");
        await SendAsync(composer, "doomed");
        var failed = Row(alice, "doomed");
        await Expect(failed).ToHaveAttributeAsync("data-state", "Failed");

        await failed.GetByTestId("retry").FocusAsync();
        await alice.Keyboard.PressAsync("Enter");
        await Expect(failed).ToHaveAttributeAsync("data-state", "Failed");
        await Expect(composer).ToBeFocusedAsync();

        await failed.GetByTestId("discard").FocusAsync();
        await alice.Keyboard.PressAsync("Enter");
        await Expect(failed).ToHaveCountAsync(0);
        await Expect(composer).ToBeFocusedAsync();
        (await alice.EvaluateAsync<string>("() => document.activeElement.tagName")).Should().NotBe("BODY");
    }
}
