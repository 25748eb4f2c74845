using static ChatServer.Tests.Browser.BrowserChat;
using static Microsoft.Playwright.Assertions;

namespace ChatServer.Tests.Browser;

/// <summary>The message length limit (from the server's welcome) is shown as the writer nears it, and a text over it
/// is kept whole and not sent: nothing is cut off without a word.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ComposerLimitTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [SkippableFact]
    public async Task Paste_OverTheLimit_KeepsTheWholeText_DisablesSend_AndSaysHowManyToRemove()
    {
        await using var host = await StartAsync(browser);
        var alice = await OpenAsync(browser, host, "alice");
        var composer = alice.GetByTestId("composer");

        await composer.FillAsync(new string('x', 600));

        await Expect(composer).ToHaveValueAsync(new string('x', 600));
        await Expect(alice.GetByTestId("composer-counter")).ToHaveTextAsync("600/500 · remove 100 characters");
        await Expect(alice.GetByTestId("send")).ToBeDisabledAsync();
        await Expect(composer).ToHaveAttributeAsync("aria-invalid", "true");
        await composer.PressAsync("Enter");
        await Expect(composer).ToHaveValueAsync(new string('x', 600));
        await Expect(alice.GetByTestId("message")).ToHaveCountAsync(0);

        await composer.PressAsync("End");
        for (var i = 0; i < 100; i++)
        {
            await composer.PressAsync("Backspace");
        }
        await Expect(alice.GetByTestId("composer-counter")).ToHaveTextAsync("500/500");
        await Expect(alice.GetByTestId("send")).ToBeEnabledAsync();
    }

    [SkippableFact]
    public async Task Counter_AppearsFromFourFifthsOfTheLimitTheServerAnnounced()
    {
        await using var host = await StartAsync(browser, static o => o.MaxMessageLength = 100);
        var alice = await OpenAsync(browser, host, "alice");
        var composer = alice.GetByTestId("composer");

        await composer.FillAsync(new string('x', 79));
        await Expect(alice.GetByTestId("composer-counter")).ToHaveCountAsync(0);

        await composer.FillAsync(new string('x', 80));
        await Expect(alice.GetByTestId("composer-counter")).ToHaveTextAsync("80/100");
        await Expect(composer).ToHaveAttributeAsync("aria-describedby", "composer-counter");
    }
}
