using Microsoft.Playwright;
using static ChatServer.Tests.Browser.BrowserChat;
using static Microsoft.Playwright.Assertions;

namespace ChatServer.Tests.Browser;

/// <summary>Text contrast of at least 4.5:1 (WCAG AA) on the rows that are easiest to make faint: pending and failed ones.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ContrastTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    // The WCAG contrast ratio of an element's text against what is behind it, as rendered: the text colour with its
    // alpha and the opacity of every ancestor up to the nearest opaque background, over that background (WCAG 2.x
    // relative luminance).
    private const string ContrastScript = """
        element => {
            const parse = c => { const m = c.match(/[\d.]+/g).map(Number); return { r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1 }; };
            const over = (top, alpha, bottom) => ({ r: top.r * alpha + bottom.r * (1 - alpha), g: top.g * alpha + bottom.g * (1 - alpha), b: top.b * alpha + bottom.b * (1 - alpha) });
            const luminance = c => [c.r, c.g, c.b].map(v => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
                .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
            const text = parse(getComputedStyle(element).color);
            let alpha = text.a;
            let background = { r: 255, g: 255, b: 255 };
            for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
                const style = getComputedStyle(node);
                alpha *= Number(style.opacity);
                const fill = parse(style.backgroundColor);
                if (fill.a === 1) { background = fill; break; }
            }
            const shown = over(text, alpha, background);
            const [light, dark] = [luminance(shown), luminance(background)].sort((x, y) => y - x);
            return (light + 0.05) / (dark + 0.05);
        }
        """;

    [SkippableFact]
    public async Task PendingAndFailedRows_HaveTextContrastOfAtLeast4_5()
    {
        await using var host = await StartAsync(browser, static o => o.Demo.FailEveryNth = 1);
        var alice = await OpenAsync(browser, host, "alice");
        var composer = alice.GetByTestId("composer");
        await SendAsync(composer, "failed");
        var failed = Row(alice, "failed");
        await Expect(failed).ToHaveAttributeAsync("data-state", "Failed");
        SetDemo(host, TimeSpan.FromSeconds(30), failEveryNth: 1);
        await SendAsync(composer, "pending");
        var pending = Row(alice, "pending");
        await Expect(pending).ToHaveAttributeAsync("data-state", "Pending");

        var parts = new Dictionary<string, ILocator>
        {
            ["pending text"] = pending.GetByTestId("message-text"),
            ["pending name"] = pending.Locator(".user"),
            ["sending…"] = pending.GetByText("sending…"),
            ["failed text"] = failed.GetByTestId("message-text"),
            ["failed error"] = failed.GetByTestId("message-error"),
        };
        var ratios = new Dictionary<string, double>();
        foreach (var (name, part) in parts)
        {
            ratios[name] = Math.Round(await part.EvaluateAsync<double>(ContrastScript), 2);
        }

        ratios.Should().OnlyContain(static ratio => ratio.Value >= 4.5, "all text has a contrast of at least 4.5:1, but: " +
            string.Join(", ", ratios.Select(static r => $"{r.Key} {r.Value}:1")));
    }
}
