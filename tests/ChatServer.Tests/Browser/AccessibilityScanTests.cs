using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static ChatServer.Tests.Browser.BrowserChat;
using static Microsoft.Playwright.Assertions;

namespace ChatServer.Tests.Browser;

/// <summary>axe-core scans of the page as people meet it: logged out, in a conversation with a pending and a failed
/// row, and with an edit in progress, on a desktop and on a phone. No serious or critical violation is allowed; the figures by impact are
/// written to the test output.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityScanTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private static readonly string[] Blocking = ["serious", "critical"];

    [SkippableTheory]
    [InlineData(1280)]
    [InlineData(375)]
    public async Task LoggedOutPage_AtWidth_HasNoSeriousOrCriticalViolation(int width)
    {
        await using var host = await StartAsync(browser);
        var reader = await OpenAsync(browser, host, null, width, 700);

        await AssertNoBlockingViolationAsync(reader, $"logged out at {width} px");
    }

    [SkippableTheory]
    [InlineData(1280)]
    [InlineData(375)]
    public async Task ConversationWithPendingAndFailedRows_ThenAnEditInProgress_AtWidth_HasNoSeriousOrCriticalViolation(int width)
    {
        // Every 2nd send fails, and each takes long enough to scan the page while one is pending.
        await using var host = await StartAsync(browser, static o => o.Demo.FailEveryNth = 2);
        var alice = await OpenAsync(browser, host, "alice", width, 700);
        await SendConfirmedThenFailedAsync(alice, "confirmed", "failed");
        var composer = alice.GetByTestId("composer");
        SetDemo(host, TimeSpan.FromSeconds(30), failEveryNth: 2);
        await SendAsync(composer, "pending");
        await Expect(Row(alice, "pending")).ToHaveAttributeAsync("data-state", "Pending");

        await AssertNoBlockingViolationAsync(alice, $"conversation at {width} px");
        await Expect(Row(alice, "pending")).ToHaveAttributeAsync("data-state", "Pending");

        // An edit in progress: the edit box open on a confirmed row, with a text over the limit (its hint says by how much).
        await (await RowByIdAsync(alice, "confirmed")).GetByTestId("edit").ClickAsync();
        await alice.GetByTestId("edit-input").FillAsync(new string('x', 501));
        await Expect(alice.GetByTestId("edit-save")).ToBeDisabledAsync();

        await AssertNoBlockingViolationAsync(alice, $"edit in progress at {width} px");
        await Expect(alice.GetByTestId("edit-input")).ToBeFocusedAsync();
    }

    private async Task AssertNoBlockingViolationAsync(IPage page, string what)
    {
        var result = await page.RunAxe();
        var byImpact = result.Violations.GroupBy(static v => v.Impact ?? "none").ToDictionary(static g => g.Key, static g => g.Count());
        output.WriteLine($"{what}: {result.Violations.Length} violation(s): " +
            string.Join(", ", new[] { "critical", "serious", "moderate", "minor" }.Select(impact => $"{impact} {byImpact.GetValueOrDefault(impact)}")));
        output.WriteLine($"  rules axe could not decide (incomplete): {string.Join(", ", result.Incomplete.Select(static r => $"{r.Id} ({r.Nodes.Length})"))}");
        foreach (var violation in result.Violations)
        {
            output.WriteLine($"  {violation.Impact} {violation.Id}: {string.Join(" | ", violation.Nodes.Select(static n => n.Html))}");
        }
        result.Violations.Where(static v => Blocking.Contains(v.Impact)).Select(static v => $"{v.Impact} {v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Select(static n => n.Target?.ToString()))}")
            .Should().BeEmpty($"the page {what} has no serious or critical accessibility violation");
    }
}
