using ChatServer.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatServer.Tests.Browser;

/// <summary>Unsent messages live in localStorage: a reload brings back a failed one (with Retry and Discard) and a pending one, which is delivered once.</summary>
public sealed class UnsentMessagesTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [SkippableFact]
    public async Task Reload_WithAPendingAndAFailedMessage_RestoresBothAndDeliversThePendingOneOnce()
    {
        Skip.If(browser.SkipReason is not null, browser.SkipReason);
        // Every second send fails; each takes 2 s, so the third is still pending when the page reloads.
        await using var host = await ChatHost.StartWithClientAsync(o =>
        {
            o.Demo.FailEveryNth = 2;
            o.Demo.Latency = TimeSpan.FromSeconds(2);
        });
        var alice = await OpenAsync(host, "alice");
        var bob = await OpenAsync(host, "bob");
        var composer = alice.GetByTestId("composer");
        await SendAsync(composer, "first");
        await Expect(Row(alice, "first")).ToHaveAttributeAsync("data-state", "Confirmed");
        await SendAsync(composer, "second");
        await Expect(Row(alice, "second")).ToHaveAttributeAsync("data-state", "Failed");
        await SendAsync(composer, "third");
        await Expect(Row(alice, "third")).ToHaveAttributeAsync("data-state", "Pending");

        await alice.ReloadAsync();

        await Expect(alice.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "Connected", new() { Timeout = 30_000 });
        var failed = Row(alice, "second");
        await Expect(failed).ToHaveAttributeAsync("data-state", "Failed");
        await Expect(failed.GetByTestId("message-error")).ToContainTextAsync("Simulated failure");
        await Expect(failed.GetByTestId("retry")).ToBeVisibleAsync();
        await Expect(Row(alice, "third")).ToHaveAttributeAsync("data-state", "Confirmed", new() { Timeout = 30_000 });
        await Expect(Row(bob, "third")).ToHaveCountAsync(1);
        await Expect(Row(alice, "third")).ToHaveCountAsync(1);

        // Discarding removes it from the store: the next reload does not bring it back.
        await failed.GetByTestId("discard").ClickAsync();
        await Expect(Row(alice, "second")).ToHaveCountAsync(0);
        await alice.ReloadAsync();
        await Expect(alice.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "Connected", new() { Timeout = 30_000 });
        await Expect(Row(alice, "first")).ToHaveCountAsync(1);

        await Expect(Row(alice, "second")).ToHaveCountAsync(0);
        await Expect(Row(alice, "third")).ToHaveCountAsync(1);
        await Expect(Row(bob, "third")).ToHaveCountAsync(1);
        (await alice.EvaluateAsync<string?>("() => localStorage.getItem('chat.unsent')")).Should().BeNull("nothing is unsent any more");
    }

    private static ILocator Row(IPage page, string text) =>
        page.GetByTestId("message").Filter(new() { Has = page.GetByTestId("message-text").GetByText(text, new() { Exact = true }) });

    private static async Task SendAsync(ILocator composer, string text)
    {
        await composer.FillAsync(text);
        await composer.PressAsync("Enter");
        await Expect(composer).ToHaveValueAsync(string.Empty);
    }

    private async Task<IPage> OpenAsync(ChatHost host, string user)
    {
        var context = await browser.Browser!.NewContextAsync(new() { BaseURL = host.Address.ToString(), ViewportSize = new() { Width = 800, Height = 600 } });
        var page = await context.NewPageAsync();
        page.Close += (_, _) => _ = context.CloseAsync();
        await page.GotoAsync("/");
        await Expect(page.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "Connected", new() { Timeout = 30_000 });
        await page.GetByTestId("login-name").FillAsync(user);
        await page.GetByTestId("login").GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Expect(page.GetByTestId("user")).ToContainTextAsync(user);
        await Expect(page.GetByTestId("composer")).ToBeEnabledAsync();
        return page;
    }
}
