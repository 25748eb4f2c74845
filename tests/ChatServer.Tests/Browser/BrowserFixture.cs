using Microsoft.Playwright;

namespace ChatServer.Tests.Browser;

/// <summary>One headless Chromium for the browser tests: the system's (<c>/usr/bin/chromium</c> or <c>CHROMIUM_PATH</c>).
/// Without it the tests are skipped with a message, or fail when <c>REQUIRE_BROWSER=1</c> (CI).</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public IPlaywright? Playwright { get; private set; }

    public IBrowser? Browser { get; private set; }

    public string? SkipReason { get; private set; }

    public static bool Required => Environment.GetEnvironmentVariable("REQUIRE_BROWSER") == "1";

    public async Task InitializeAsync()
    {
        var path = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        if (!File.Exists(path))
        {
            SkipReason = $"Chromium was not found at {path}: install it with apt-get install chromium (or set CHROMIUM_PATH).";
            if (Required)
            {
                throw new InvalidOperationException($"REQUIRE_BROWSER=1 but {SkipReason}");
            }
            return;
        }
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        Playwright?.Dispose();
    }
}
