using System.Text.Json.Nodes;
using ChatServer.Tests.Support;
using Microsoft.Playwright;
using static ChatServer.Tests.Browser.BrowserChat;
using static Microsoft.Playwright.Assertions;

namespace ChatServer.Tests.Browser;

/// <summary>One chat server and its pages, shared by the editing tests so that the WebAssembly client boots three times
/// for the class instead of three times per test: alice in two tabs (the first through a relay that can lose one ack)
/// and bob, who watches. Each test writes messages of its own and sets the demo options it needs.</summary>
public sealed class EditingChatFixture : IAsyncLifetime
{
    private readonly BrowserFixture _browser = new();
    private int _armed;
    private int _lostAcks;

    public ChatHost Host { get; private set; } = null!;

    public IPage Alice { get; private set; } = null!;

    public IPage AliceSecondTab { get; private set; } = null!;

    public IPage Bob { get; private set; } = null!;

    public string? SkipReason => _browser.SkipReason;

    /// <summary>Gets how many acks the relay dropped.</summary>
    public int LostAcks => Volatile.Read(ref _lostAcks);

    /// <summary>Makes the relay in front of <see cref="Alice"/> drop the next ack it carries, and end that connection.</summary>
    public void LoseNextAck() => Volatile.Write(ref _armed, 1);

    public async Task InitializeAsync()
    {
        await _browser.InitializeAsync();
        if (SkipReason is not null)
        {
            return;
        }
        Host = await ChatHost.StartWithClientAsync();
        Alice = await OpenThroughRelayAsync("alice");
        AliceSecondTab = await OpenAsync(_browser, Host, "alice");
        Bob = await OpenAsync(_browser, Host, "bob");
    }

    /// <summary>Before each test: no demo latency or failures, and every page connected and ready to write.</summary>
    public async Task ResetAsync()
    {
        Skip.If(SkipReason is not null, SkipReason);
        SetDemo(Host, TimeSpan.Zero);
        foreach (var page in new[] { Alice, AliceSecondTab, Bob })
        {
            await Expect(page.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "Connected", new() { Timeout = 60_000 });
            await Expect(page.GetByTestId("composer")).ToBeEnabledAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
        await _browser.DisposeAsync();
    }

    // Alice's first tab: its sockets go through a relay that forwards every frame both ways, except that once armed it
    // drops the next ack from the server and ends the connection, as a network that fails at that moment would.
    private async Task<IPage> OpenThroughRelayAsync(string user)
    {
        var context = await _browser.Browser!.NewContextAsync(new() { BaseURL = Host.Address.ToString(), ViewportSize = new() { Width = 800, Height = 600 } });
        await context.RouteWebSocketAsync("**/chat/ws", page =>
        {
            var server = page.ConnectToServer();
            server.OnMessage(frame =>
            {
                if (frame.Text is { } text && JsonNode.Parse(text) is JsonObject json && (string?)json["type"] == "ack"
                    && Interlocked.CompareExchange(ref _armed, 0, 1) == 1)
                {
                    Interlocked.Increment(ref _lostAcks);
                    _ = page.CloseAsync(new() { Code = 1011, Reason = "connection lost" });
                    _ = server.CloseAsync();
                    return;
                }
                page.Send(frame.Text!);
            });
            page.OnMessage(frame => server.Send(frame.Text!));
        });
        var alice = await context.NewPageAsync();
        await alice.GotoAsync("/");
        await Expect(alice.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "Connected", new() { Timeout = 60_000 });
        await LoginAsync(alice, user);
        return alice;
    }
}
