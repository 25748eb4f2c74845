using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using ChatServer.Chat;
using ChatServer.Shared;
using ChatServer.Tests.Support;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatServer.Tests.Browser;

/// <summary>What the browser tests do again and again: start a host with the client, open the chat page in a browser
/// context of its own (logged in or anonymous), send from the page, and write history from outside the page.</summary>
public static class BrowserChat
{
    /// <summary>Starts a host that serves the client, or skips the test when there is no browser.</summary>
    public static async Task<ChatHost> StartAsync(BrowserFixture browser, Action<ChatOptions>? configure = null)
    {
        Skip.If(browser.SkipReason is not null, browser.SkipReason);
        return await ChatHost.StartWithClientAsync(configure);
    }

    /// <summary>Opens the page in a new context of the given viewport, waits for the connection, and logs in as <paramref name="user"/> unless it is <see langword="null"/>.</summary>
    public static Task<IPage> OpenAsync(BrowserFixture browser, ChatHost host, string? user, int width = 800, int height = 600) =>
        OpenAsync(browser, host.Address, user, width, height);

    /// <summary>Opens the page at <paramref name="address"/> (a host, or a balancer in front of several) as
    /// <see cref="OpenAsync(BrowserFixture, ChatHost, string?, int, int)"/> does.</summary>
    public static async Task<IPage> OpenAsync(BrowserFixture browser, Uri address, string? user, int width = 800, int height = 600)
    {
        var context = await browser.Browser!.NewContextAsync(new() { BaseURL = address.ToString(), ViewportSize = new() { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        page.Close += (_, _) => _ = context.CloseAsync();
        await page.GotoAsync("/");
        // A guard, not a measure: booting the WebAssembly client takes tens of seconds on a busy machine.
        await Expect(page.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "Connected", new() { Timeout = 60_000 });
        if (user is not null)
        {
            await LoginAsync(page, user);
        }
        return page;
    }

    /// <summary>Logs in through the page's form and waits for the welcome that names the user.</summary>
    public static async Task LoginAsync(IPage page, string user)
    {
        await page.GetByTestId("login-name").FillAsync(user);
        await page.GetByTestId("login").GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Expect(page.GetByTestId("user")).ToContainTextAsync(user);
        await Expect(page.GetByTestId("composer")).ToBeEnabledAsync();
        // The welcome has been read (it named the user), and it spoke this page's protocol version.
        await Expect(page.GetByTestId("protocol-error")).ToHaveCountAsync(0);
    }

    /// <summary>Types <paramref name="text"/> into the composer and presses Enter.</summary>
    public static async Task SendAsync(ILocator composer, string text)
    {
        await composer.FillAsync(text);
        await composer.PressAsync("Enter");
        await Expect(composer).ToHaveValueAsync(string.Empty);
    }

    /// <summary>Sends <paramref name="kept"/>, then <paramref name="refused"/>, from a page whose host fails every 2nd send
    /// (<c>Demo.FailEveryNth = 2</c>), and waits until the first is confirmed and the second has failed.</summary>
    public static async Task SendConfirmedThenFailedAsync(IPage page, string kept, string refused)
    {
        var composer = page.GetByTestId("composer");
        await SendAsync(composer, kept);
        await Expect(Row(page, kept)).ToHaveAttributeAsync("data-state", "Confirmed");
        await SendAsync(composer, refused);
        await Expect(Row(page, refused)).ToHaveAttributeAsync("data-state", "Failed");
    }

    /// <summary>The row of the message whose text is exactly <paramref name="text"/>.</summary>
    public static ILocator Row(IPage page, string text) =>
        page.GetByTestId("message").Filter(new() { Has = page.GetByTestId("message-text").GetByText(text, new() { Exact = true }) });

    /// <summary>The row of the confirmed message whose text is <paramref name="text"/>, located by its id: it stays the
    /// same row while its text is edited or hidden (an edit box, a held deletion).</summary>
    public static async Task<ILocator> RowByIdAsync(IPage page, string text)
    {
        var byText = Row(page, text);
        await Expect(byText).ToHaveCountAsync(1);
        await Expect(byText).ToHaveAttributeAsync("data-state", "Confirmed", new() { Timeout = 20_000 });
        var id = await byText.GetAttributeAsync("data-id");
        return page.Locator($"[data-testid=message][data-id='{id}']");
    }

    /// <summary>Sends <paramref name="count"/> messages "<paramref name="prefix"/> 1", "… 2", … from <paramref name="client"/>
    /// and waits until the server has confirmed all of them.</summary>
    public static async Task SendManyAsync(ChatClient client, string prefix, int count)
    {
        for (var i = 1; i <= count; i++)
        {
            client.Send($"{prefix} {i}");
        }
        await client.Edits.PendingCount.Where(static pending => pending == 0).FirstAsync().ToTask().WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Sets the demo options of a running host: its sends read them on each send, so a test can write its
    /// history quickly first and slow the sends down after.</summary>
    public static void SetDemo(ChatHost host, TimeSpan latency, int failEveryNth = 0)
    {
        var demo = host.Services.GetRequiredService<IOptions<ChatOptions>>().Value.Demo;
        demo.Latency = latency;
        demo.FailEveryNth = failEveryNth;
    }
}
