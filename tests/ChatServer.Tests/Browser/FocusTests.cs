using Microsoft.Playwright;
using static ChatServer.Tests.Browser.BrowserChat;
using static Microsoft.Playwright.Assertions;

namespace ChatServer.Tests.Browser;

/// <summary>Where the keyboard focus is: in the message input when the page is ready to write, never lost to the page's body,
/// and moving down the page as it is laid out.</summary>
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

    // WCAG 2.4.3: Tab visits the controls in the order the eye reads them. On a phone the presence count sits between the
    // header and the conversation, so it must be reached there, not after the Send button at the bottom of the screen.
    [SkippableTheory]
    [InlineData(375)]
    [InlineData(1280)]
    public async Task Tab_AtWidth_MovesDownThePageAsItIsLaidOut(int width)
    {
        await using var host = await StartAsync(browser, static o => o.Demo.FailEveryNth = 2);
        var alice = await OpenAsync(browser, host, "alice", width, 700);
        await SendConfirmedThenFailedAsync(alice, "kept", "refused");

        // One round of Tab from the first control of the page (Log out) back to it.
        await alice.GetByTestId("logout").FocusAsync();
        var visited = new List<FocusedControl>();
        for (var presses = 0; presses < 40; presses++)
        {
            var focused = await alice.EvaluateAsync<FocusedControl>(
                "() => { const e = document.activeElement; return { control: e.dataset.testid || e.tagName.toLowerCase(), top: e.getBoundingClientRect().top }; }");
            if (visited.Count > 0 && focused.Control == "logout")
            {
                break;
            }

            if (focused.Control != "body")
            {
                visited.Add(focused);
            }

            await alice.Keyboard.PressAsync("Tab");
        }

        visited.Select(static v => v.Control).Should().Contain(["logout", "messages", "retry", "composer", "send"]);
        // Below 40rem (app.css) the presence list folds into its toggle, which is then the one control of the panel.
        if (width < 640)
        {
            visited.Select(static v => v.Control).Should().Contain("presence-toggle");
        }

        var order = string.Join(", ", visited.Select(static v => $"{v.Control} at {v.Top:0}"));
        for (var i = 1; i < visited.Count; i++)
        {
            visited[i].Top.Should().BeGreaterThanOrEqualTo(visited[i - 1].Top - 1, $"Tab should not move up the page, but went {order}");
        }
    }

    // Filled by Playwright from the script's result, which needs settable properties.
    private sealed class FocusedControl
    {
        public string Control { get; set; } = "";

        public double Top { get; set; }
    }
}
