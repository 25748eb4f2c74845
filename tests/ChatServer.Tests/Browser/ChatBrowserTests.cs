using ChatServer.Chat;
using ChatServer.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChatServer.Tests.Browser;

/// <summary>The chat in headless Chromium: two logged-in users in separate browser contexts and one anonymous one.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ChatBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Yellow = "rgb(255, 255, 0)";

    [SkippableFact]
    public async Task Presence_ShowsBothUsersInBothTabs_AndDropsOneWhenItsPageCloses()
    {
        await using var host = await StartAsync();
        var alice = await OpenAsync(host, "alice");
        var bob = await OpenAsync(host, "bob");
        var reader = await OpenAsync(host, null);

        foreach (var page in new[] { alice, bob, reader })
        {
            await Expect(page.GetByTestId("present-count")).ToHaveTextAsync("Present: 2");
            await Expect(page.GetByTestId("present-user")).ToHaveTextAsync(["alice", "bob"]);
            // Logging in reconnected alice's and bob's pages: only the reader is still anonymous.
            await Expect(page.GetByTestId("anonymous-count")).ToHaveTextAsync("and 1 anonymous reader");
        }
        await bob.CloseAsync();

        await Expect(alice.GetByTestId("present-count")).ToHaveTextAsync("Present: 1");
        await Expect(reader.GetByTestId("present-user")).ToHaveTextAsync(["alice"]);
    }

    [SkippableFact]
    public async Task Send_IsPendingAndBusyDuringLatency_ThenConfirmedInTheSameElement()
    {
        await using var host = await StartAsync(o => o.Demo.Latency = TimeSpan.FromMilliseconds(1500));
        var alice = await OpenAsync(host, "alice");
        var bob = await OpenAsync(host, "bob");
        var composer = alice.GetByTestId("composer");
        // Not busy during page load.
        await Expect(composer).Not.ToHaveAttributeAsync("aria-busy", "true");

        await composer.FillAsync("hello bob");
        await composer.PressAsync("Enter");

        await Expect(composer).ToHaveValueAsync(string.Empty);
        var row = alice.GetByTestId("message").Filter(new() { HasText = "hello bob" });
        await Expect(row).ToHaveAttributeAsync("data-state", "Pending");
        await Expect(composer).ToHaveAttributeAsync("aria-busy", "true");
        (await BackgroundOf(composer)).Should().Be(Yellow);
        await row.EvaluateAsync("element => element.dataset.mark = 'pending-row'");

        await Expect(row).ToHaveAttributeAsync("data-state", "Confirmed");
        await Expect(alice.Locator("[data-mark='pending-row']")).ToHaveAttributeAsync("data-state", "Confirmed");
        await Expect(alice.Locator("[data-mark='pending-row'] [data-testid='message-text']")).ToHaveTextAsync("hello bob");
        await Expect(composer).Not.ToHaveAttributeAsync("aria-busy", "true");
        (await BackgroundOf(composer)).Should().NotBe(Yellow);
        await Expect(bob.GetByTestId("message").Filter(new() { HasText = "hello bob" })).ToHaveCountAsync(1);
    }

    [SkippableFact]
    public async Task FailedSend_ShowsErrorWithRetryAndDiscard()
    {
        await using var host = await StartAsync(o => o.Demo.FailEveryNth = 2);
        var alice = await OpenAsync(host, "alice");
        var bob = await OpenAsync(host, "bob");
        var composer = alice.GetByTestId("composer");
        await SendAsync(composer, "first");
        await Expect(alice.GetByTestId("message").Filter(new() { HasText = "first" })).ToHaveAttributeAsync("data-state", "Confirmed");

        await SendAsync(composer, "second");
        var failed = alice.GetByTestId("message").Filter(new() { HasText = "second" });
        await Expect(failed).ToHaveAttributeAsync("data-state", "Failed");
        await Expect(failed.GetByTestId("message-error")).ToContainTextAsync("Simulated failure");
        // The error and its buttons take a line of their own: the text keeps its width (it was once squeezed to one
        // character per line next to a long error).
        var text = (await failed.GetByTestId("message-text").BoundingBoxAsync())!;
        var error = (await failed.GetByTestId("message-error").BoundingBoxAsync())!;
        text.Width.Should().BeGreaterThanOrEqualTo(150);
        error.Y.Should().BeGreaterThanOrEqualTo(text.Y + text.Height - 1, "the error is below the text");
        await failed.GetByTestId("retry").ClickAsync();

        await Expect(failed).ToHaveAttributeAsync("data-state", "Confirmed");
        await Expect(alice.GetByTestId("message-text").GetByText("second", new() { Exact = true })).ToHaveCountAsync(1);
        await Expect(bob.GetByTestId("message-text").GetByText("second", new() { Exact = true })).ToHaveCountAsync(1);

        // Sends so far: first (1), second (2, failed), its retry (3); so the 4th fails too.
        await SendAsync(composer, "third");
        var discarded = alice.GetByTestId("message").Filter(new() { HasText = "third" });
        await Expect(discarded).ToHaveAttributeAsync("data-state", "Failed");
        await discarded.GetByTestId("discard").ClickAsync();
        await Expect(discarded).ToHaveCountAsync(0);
        await Expect(bob.GetByTestId("message-text")).ToHaveTextAsync(["first", "second"]);
        await Expect(composer).Not.ToHaveAttributeAsync("aria-busy", "true");
    }

    [SkippableFact]
    public async Task RapidSends_GiveFiveRowsInOrder_AllConfirmed_AndBusyClearsAfterTheLast()
    {
        await using var host = await StartAsync(o => o.Demo.Latency = TimeSpan.FromMilliseconds(800));
        var alice = await OpenAsync(host, "alice");
        var composer = alice.GetByTestId("composer");

        for (var i = 1; i <= 5; i++)
        {
            await SendAsync(composer, $"rapid {i}");
        }

        await Expect(composer).ToHaveAttributeAsync("aria-busy", "true");
        await Expect(alice.GetByTestId("message-text")).ToHaveTextAsync(["rapid 1", "rapid 2", "rapid 3", "rapid 4", "rapid 5"]);
        await Expect(alice.Locator("[data-testid='message'][data-state='Confirmed']")).ToHaveCountAsync(5);
        await Expect(alice.GetByTestId("message-text")).ToHaveTextAsync(["rapid 1", "rapid 2", "rapid 3", "rapid 4", "rapid 5"]);
        await Expect(composer).Not.ToHaveAttributeAsync("aria-busy", "true");
    }

    [SkippableFact]
    public async Task Anonymous_SeesMessages_AndADisabledInputReadingLoginToChat()
    {
        await using var host = await StartAsync();
        var alice = await OpenAsync(host, "alice");
        var reader = await OpenAsync(host, null);

        await SendAsync(alice.GetByTestId("composer"), "for everyone");

        await Expect(reader.GetByTestId("message-text")).ToHaveTextAsync(["for everyone"]);
        var composer = reader.GetByTestId("composer");
        await Expect(composer).ToBeDisabledAsync();
        await Expect(composer).ToHaveAttributeAsync("placeholder", "Log in to chat");
    }

    [SkippableFact]
    public async Task Markup_InAMessage_IsShownLiterally()
    {
        const string Text = "<b>x</b><script>window.injected = true</script>";
        await using var host = await StartAsync();
        var alice = await OpenAsync(host, "alice");
        var bob = await OpenAsync(host, "bob");

        await SendAsync(alice.GetByTestId("composer"), Text);

        foreach (var page in new[] { alice, bob })
        {
            var text = page.GetByTestId("message-text");
            await Expect(text).ToHaveTextAsync([Text]);
            await Expect(text.Locator("b, script")).ToHaveCountAsync(0);
            (await page.EvaluateAsync<bool>("() => window.injected === true")).Should().BeFalse();
        }
    }

    [SkippableFact]
    public async Task ContentSecurityPolicy_IsSent_AndTheClientLogsInAndSendsUnderItWithNoViolationOrConsoleError()
    {
        await using var host = await StartAsync();
        var context = await browser.Browser!.NewContextAsync(new() { BaseURL = host.Address.ToString() });
        await context.AddInitScriptAsync(
            "window.cspViolations = []; document.addEventListener('securitypolicyviolation', e => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));");
        var page = await context.NewPageAsync();
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (consoleErrors)
                {
                    consoleErrors.Add(message.Text);
                }
            }
        };

        var document = await page.GotoAsync("/");
        document!.Headers.Should().ContainKey("content-security-policy").WhoseValue.Should().Be(SecurityHeaders.ContentSecurityPolicy);
        await Expect(page.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "Connected", new() { Timeout = 30_000 });
        await page.GetByTestId("login-name").FillAsync("alice");
        await page.GetByTestId("login").GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await SendAsync(page.GetByTestId("composer"), "under the policy");
        await Expect(page.GetByTestId("message").Filter(new() { HasText = "under the policy" })).ToHaveAttributeAsync("data-state", "Confirmed");

        (await page.EvaluateAsync<string[]>("window.cspViolations")).Should().BeEmpty();
        lock (consoleErrors)
        {
            // Nothing failed to load either (a missing icon once logged a 404 on every page load).
            consoleErrors.Should().BeEmpty();
        }
        await context.CloseAsync();
    }

    [SkippableFact]
    public async Task ServerOfAnotherProtocolVersion_ShowsAnErrorWithAReloadLink()
    {
        await using var host = await StartAsync();
        var context = await browser.Browser!.NewContextAsync(new() { BaseURL = host.Address.ToString() });
        var page = await context.NewPageAsync();
        // The real server, its welcome changed on the way to say the next version: as if it had been updated while the
        // page was open.
        var next = Shared.Protocol.ChatProtocol.Version + 1;
        await page.RouteWebSocketAsync("**" + Shared.Protocol.ChatProtocol.SocketPath, socket =>
        {
            var server = socket.ConnectToServer();
            socket.OnMessage(frame => server.Send(frame.Text ?? throw new InvalidOperationException("The chat sends text frames only.")));
            server.OnMessage(frame => socket.Send((frame.Text ?? throw new InvalidOperationException("The chat sends text frames only.")).Replace(
                $"\"protocolVersion\":{Shared.Protocol.ChatProtocol.Version}", $"\"protocolVersion\":{next}", StringComparison.Ordinal)));
        });

        await page.GotoAsync("/");

        var error = page.GetByTestId("protocol-error");
        await Expect(error).ToHaveAttributeAsync("data-code", Shared.Protocol.ChatProtocol.VersionMismatch, new() { Timeout = 30_000 });
        await Expect(error).ToContainTextAsync($"version {next} and this page version {Shared.Protocol.ChatProtocol.Version}: reload the page.");
        await Expect(error.GetByRole(AriaRole.Link, new() { Name = "Reload" })).ToBeVisibleAsync();
        await context.CloseAsync();
    }

    [SkippableFact]
    public async Task Screenshot_OfTwoTabsSideBySide_IsWrittenForTheDocs()
    {
        await using var host = await StartAsync(o => o.Demo.Latency = TimeSpan.FromSeconds(2));
        var alice = await OpenAsync(host, "alice");
        var bob = await OpenAsync(host, "bob");
        await SendAsync(alice.GetByTestId("composer"), "Hello Bob, try sending something.");
        await Expect(bob.GetByTestId("message")).ToHaveCountAsync(1);
        await SendAsync(bob.GetByTestId("composer"), "Hi Alice! This one is still on its way…");
        await Expect(bob.GetByTestId("message").Filter(new() { HasText = "on its way" })).ToHaveAttributeAsync("data-state", "Pending");
        await Expect(alice.GetByTestId("present-count")).ToHaveTextAsync("Present: 2");

        var left = await alice.ScreenshotAsync();
        var right = await bob.ScreenshotAsync();
        var sideBySide = await browser.Browser!.NewPageAsync(new() { ViewportSize = new() { Width = 1640, Height = 620 } });
        await sideBySide.SetContentAsync(
            $"""<body style="margin:0;display:flex;gap:20px;background:#888;padding:10px"><img src="data:image/png;base64,{Convert.ToBase64String(left)}"><img src="data:image/png;base64,{Convert.ToBase64String(right)}"></body>""");
        var path = DocumentationScreenshot.PathFor("chat-two-tabs.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await sideBySide.ScreenshotAsync(new() { Path = path });

        new FileInfo(path).Length.Should().BeGreaterThan(10_000);
    }

    [SkippableFact]
    public async Task Screenshot_OnAPhone_IsWrittenForTheDocs()
    {
        await using var host = await StartAsync(o => o.Demo.FailEveryNth = 3);
        var bob = await BrowserChat.OpenAsync(browser, host, "bob", 375, 740);
        var alice = await BrowserChat.OpenAsync(browser, host, "alice", 375, 740);
        await SendAsync(bob.GetByTestId("composer"), "Hi Alice! Try the chat on your phone.");
        await SendAsync(alice.GetByTestId("composer"), "Hello Bob, it fits the screen now.");
        await SendAsync(alice.GetByTestId("composer"), "This one was rejected by the demo: Retry or Discard it.");
        await Expect(BrowserChat.Row(alice, "This one was rejected by the demo: Retry or Discard it.")).ToHaveAttributeAsync("data-state", "Failed");
        await Expect(alice.GetByTestId("presence-toggle")).ToHaveTextAsync("2 present");

        var path = DocumentationScreenshot.PathFor("chat-phone.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await alice.ScreenshotAsync(new() { Path = path });

        new FileInfo(path).Length.Should().BeGreaterThan(10_000);
    }

    private Task<ChatHost> StartAsync(Action<ChatOptions>? configure = null) => BrowserChat.StartAsync(browser, configure);

    private Task<IPage> OpenAsync(ChatHost host, string? user) => BrowserChat.OpenAsync(browser, host, user);

    private static Task SendAsync(ILocator composer, string text) => BrowserChat.SendAsync(composer, text);

    private static Task<string> BackgroundOf(ILocator element) =>
        element.EvaluateAsync<string>("element => getComputedStyle(element).backgroundColor");
}
