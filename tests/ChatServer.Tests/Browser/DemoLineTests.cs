using static ChatServer.Tests.Browser.BrowserChat;
using static Microsoft.Playwright.Assertions;

namespace ChatServer.Tests.Browser;

/// <summary>The line about the demo options says what the server's welcome says, so it waits for the welcome.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DemoLineTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [SkippableFact]
    public async Task DemoLine_IsAbsentWhileTheWelcomeIsHeldBack_AndShownOnceItArrives()
    {
        await using var host = await StartAsync(browser);
        var context = await browser.Browser!.NewContextAsync(new() { BaseURL = host.Address.ToString() });
        var page = await context.NewPageAsync();
        // The real server, with its frames from the welcome on held back until the test lets them through, in order.
        var held = new List<string>();
        var released = false;
        var welcomeHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Microsoft.Playwright.IWebSocketRoute? route = null;
        await page.RouteWebSocketAsync("**" + Shared.Protocol.ChatProtocol.SocketPath, socket =>
        {
            route = socket;
            var server = socket.ConnectToServer();
            socket.OnMessage(frame => server.Send(frame.Text ?? throw new InvalidOperationException("The chat sends text frames only.")));
            server.OnMessage(frame =>
            {
                var text = frame.Text ?? throw new InvalidOperationException("The chat sends text frames only.");
                lock (held)
                {
                    if (!released && (held.Count > 0 || text.Contains("\"protocolVersion\":", StringComparison.Ordinal)))
                    {
                        held.Add(text);
                        welcomeHeld.TrySetResult();
                        return;
                    }
                }
                socket.Send(text);
            });
        });

        await page.GotoAsync("/");

        await Expect(page.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "Connected", new() { Timeout = 30_000 });
        await welcomeHeld.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Expect(page.GetByTestId("demo")).ToHaveCountAsync(0);
        await Expect(page.GetByText("Demo options are off.")).ToHaveCountAsync(0);

        lock (held)
        {
            released = true;
            foreach (var text in held)
            {
                route!.Send(text);
            }
        }

        await Expect(page.GetByTestId("demo")).ToHaveTextAsync("Demo options are off.");
        await context.CloseAsync();
    }
}
