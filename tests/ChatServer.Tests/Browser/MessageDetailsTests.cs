using System.Globalization;
using ChatServer.Tests.Support;
using static ChatServer.Tests.Browser.BrowserChat;
using static Microsoft.Playwright.Assertions;

namespace ChatServer.Tests.Browser;

/// <summary>What each message shows besides its text (its time), what an empty room shows, and that names and texts
/// cannot reorder the page around them (bidirectional text is isolated).</summary>
[Collection(BrowserCollection.Name)]
public sealed class MessageDetailsTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [SkippableFact]
    public async Task Message_ShowsItsLocalTime_WithTheFullDateOnHover()
    {
        await using var host = await StartAsync(browser);
        var alice = await OpenAsync(browser, host, "alice");

        await SendAsync(alice.GetByTestId("composer"), "what time is it");
        var row = Row(alice, "what time is it");
        await Expect(row).ToHaveAttributeAsync("data-state", "Confirmed");

        var stored = host.Room.Recent().Single();
        var time = row.Locator("time");
        var datetime = await time.GetAttributeAsync("datetime");
        DateTimeOffset.Parse(datetime!, CultureInfo.InvariantCulture).Should().Be(stored.SentAt);
        await Expect(time).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d{1,2}:\d{2}"));
        (await time.GetAttributeAsync("title")).Should().Contain(stored.SentAt.Year.ToString(CultureInfo.InvariantCulture));
    }

    [SkippableFact]
    public async Task EmptyRoom_SaysSo_UntilTheFirstMessage()
    {
        await using var host = await StartAsync(browser);
        var alice = await OpenAsync(browser, host, "alice");

        await Expect(alice.GetByTestId("empty")).ToHaveTextAsync("No messages yet.");

        await SendAsync(alice.GetByTestId("composer"), "first!");
        await Expect(alice.GetByTestId("empty")).ToHaveCountAsync(0);
    }

    [SkippableFact]
    public async Task NameAndText_AreIsolated_SoABidiOverrideInThemStaysInside()
    {
        // U+202E RIGHT-TO-LEFT OVERRIDE, never closed: without isolation it reverses what follows it on the line.
        const string Override = "\u202Eevil";
        await using var host = await StartAsync(browser);
        await using var carol = await TestUser.LoginAsync(host, "carol");
        (await carol.ConnectAsync()).Send(Override);
        var alice = await OpenAsync(browser, host, "alice");
        var row = alice.GetByTestId("message").First;
        await Expect(row.GetByTestId("message-text")).ToHaveTextAsync(Override);

        foreach (var part in new[] { row.GetByTestId("message-user"), row.GetByTestId("message-text"), alice.GetByTestId("present-user").First.Locator("bdi") })
        {
            (await part.EvaluateAsync<string>("element => getComputedStyle(element).unicodeBidi")).Should().Be("isolate");
        }
        await Expect(row.GetByTestId("message-text")).ToHaveAttributeAsync("dir", "auto");
    }
}
