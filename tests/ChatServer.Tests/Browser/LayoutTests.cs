using Microsoft.Playwright;
using static ChatServer.Tests.Browser.BrowserChat;
using static Microsoft.Playwright.Assertions;

namespace ChatServer.Tests.Browser;

/// <summary>The page on a phone and on a desktop: no sideways scroll, presence folded on narrow screens, targets a finger can hit.</summary>
[Collection(BrowserCollection.Name)]
public sealed class LayoutTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string LongText = "A message long enough to wrap over several lines on a phone, with a long word: Donaudampfschifffahrtsgesellschaftskapitän.";

    [SkippableTheory]
    [InlineData(320)]
    [InlineData(375)]
    [InlineData(1280)]
    public async Task Page_AtWidth_HasNoHorizontalScroll(int width)
    {
        await using var host = await StartAsync(browser, static o => o.Demo.FailEveryNth = 2);
        var reader = await OpenAsync(browser, host, null, width, 700);
        await AssertNoHorizontalScrollAsync(reader, "logged out");
        var alice = await OpenAsync(browser, host, "alice", width, 700);

        await SendAsync(alice.GetByTestId("composer"), LongText);
        await SendAsync(alice.GetByTestId("composer"), "and this one fails");
        await Expect(Row(alice, "and this one fails")).ToHaveAttributeAsync("data-state", "Failed");

        await AssertNoHorizontalScrollAsync(alice, "with a failed row");
    }

    [SkippableFact]
    public async Task Message_OnAPhone_HasItsNameOnTheLineOfItsText()
    {
        await using var host = await StartAsync(browser);
        var alice = await OpenAsync(browser, host, "alice", 375, 700);

        await SendAsync(alice.GetByTestId("composer"), "hello");

        var row = Row(alice, "hello");
        var name = (await row.GetByTestId("message-user").BoundingBoxAsync())!;
        var text = (await row.GetByTestId("message-text").BoundingBoxAsync())!;
        text.Y.Should().BeLessThan(name.Y + name.Height, "the text starts on the name's line, not below it");
        text.X.Should().BeGreaterThanOrEqualTo(name.X + name.Width, "the text follows the name");
    }

    [SkippableFact]
    public async Task Presence_OnAPhone_FoldsIntoACountThatOpensTheList()
    {
        await using var host = await StartAsync(browser);
        var bob = await OpenAsync(browser, host, "bob", 375, 700);
        var alice = await OpenAsync(browser, host, "alice", 375, 700);
        var toggle = alice.GetByRole(AriaRole.Button, new() { Name = "2 present" });
        await Expect(toggle).ToBeVisibleAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");
        await Expect(alice.GetByTestId("present-user").First).ToBeHiddenAsync();

        await toggle.ClickAsync();

        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(alice.GetByTestId("present-user")).ToHaveTextAsync(["alice", "bob"]);
        await Expect(alice.GetByTestId("present-user").First).ToBeVisibleAsync();
        await toggle.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");
        await Expect(alice.GetByTestId("present-user").First).ToBeHiddenAsync();
    }

    [SkippableTheory]
    [InlineData(375, 44)]
    [InlineData(1280, 24)]
    public async Task RetryDiscardAndSend_AtWidth_AreAtLeastTheMinimumTarget(int width, int minimum)
    {
        await using var host = await StartAsync(browser, static o => o.Demo.FailEveryNth = 1);
        var alice = await OpenAsync(browser, host, "alice", width, 700);
        await SendAsync(alice.GetByTestId("composer"), "fails");
        var failed = Row(alice, "fails");
        await Expect(failed).ToHaveAttributeAsync("data-state", "Failed");

        foreach (var target in new[] { failed.GetByTestId("retry"), failed.GetByTestId("discard"), alice.GetByTestId("send") })
        {
            var box = (await target.BoundingBoxAsync())!;
            box.Width.Should().BeGreaterThanOrEqualTo(minimum, await target.InnerTextAsync());
            box.Height.Should().BeGreaterThanOrEqualTo(minimum, await target.InnerTextAsync());
        }
    }

    private static async Task AssertNoHorizontalScrollAsync(IPage page, string state)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        widths[0].Should().BeLessThanOrEqualTo(widths[1], $"the page {state} fits the window's width");
    }
}
