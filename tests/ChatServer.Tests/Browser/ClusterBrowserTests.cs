using System.Diagnostics;
using System.Reactive.Linq;
using ChatServer.Tests.Faults;
using ChatServer.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static ChatServer.Tests.Browser.BrowserChat;
using static Microsoft.Playwright.Assertions;

namespace ChatServer.Tests.Browser;

/// <summary>The chat on three nodes behind HAProxy (<see cref="ChatCluster"/>), in headless Chromium through the
/// balancer's one URL, as the README's "Run on several nodes" has it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ClusterBrowserTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    // Round robin over three nodes: a tab lands on the other user's node about one time in three, so ten reloads that
    // all land there would mean the balancer does not spread the sockets.
    private const int MaxReloads = 10;

    [SkippableFact]
    public async Task TwoTabsOnTheBalancer_SocketsOnDifferentNodes_SeeEachOtherAndChat()
    {
        Skip.If(browser.SkipReason is not null, browser.SkipReason);
        var starting = Stopwatch.StartNew();
        await using var cluster = await ChatCluster.StartAsync(nodeCount: 3);
        output.WriteLine($"Redis, 3 nodes and HAProxy started in {starting.Elapsed.TotalSeconds:0.0} s.");

        var alice = await OpenAsync(browser, cluster.Address, "alice");
        var (aliceNode, _) = await SocketOfAsync(cluster, "alice", previous: null);
        var bob = await OpenAsync(browser, cluster.Address, "bob");
        var (bobNode, bobConnection) = await SocketOfAsync(cluster, "bob", previous: null);
        using var http = new HttpClient { BaseAddress = cluster.Address };
        var reloads = 0;
        for (; bobNode == aliceNode; reloads++)
        {
            reloads.Should().BeLessThan(MaxReloads, $"bob's socket should land on another node than alice's ({Balancer.NodeName(aliceNode)}) within {MaxReloads} reloads");
            // Each request moves the round robin on by one. A reload makes a fixed number of requests before its socket
            // (fewer once the browser caches the client), so a fixed shift could land the socket on the same node every
            // time: one more request than at the previous reload tries every shift within as many reloads as nodes.
            for (var extra = 0; extra <= reloads; extra++)
            {
                (await http.GetAsync(new Uri("/health", UriKind.Relative))).EnsureSuccessStatusCode();
            }
            await bob.ReloadAsync();
            await Expect(bob.GetByTestId("user")).ToContainTextAsync("bob", new() { Timeout = 60_000 });
            (bobNode, bobConnection) = await SocketOfAsync(cluster, "bob", bobConnection);
        }

        output.WriteLine($"alice's socket is on {Balancer.NodeName(aliceNode)}, bob's on {Balancer.NodeName(bobNode)} after {reloads} reloads.");

        foreach (var page in new[] { alice, bob })
        {
            await Expect(page.GetByTestId("present-count")).ToHaveTextAsync("Present: 2");
            await Expect(page.GetByTestId("present-user")).ToHaveTextAsync(["alice", "bob"]);
        }

        await SendAsync(alice.GetByTestId("composer"), "hello from alice");
        await Expect(Row(bob, "hello from alice")).ToHaveAttributeAsync("data-state", "Confirmed", new() { Timeout = 20_000 });
        await SendAsync(bob.GetByTestId("composer"), "hello from bob");
        await Expect(Row(alice, "hello from bob")).ToHaveAttributeAsync("data-state", "Confirmed", new() { Timeout = 20_000 });
        // Both tabs show the two messages in one order.
        await Expect(alice.GetByTestId("message-text")).ToHaveTextAsync(["hello from alice", "hello from bob"]);
        await Expect(bob.GetByTestId("message-text")).ToHaveTextAsync(["hello from alice", "hello from bob"]);
    }

    // Waits until the user holds exactly one socket over all nodes, other than `previous` (the one a reload closed), and
    // tells which node holds it: the evidence is the node's own log of the connection's opening.
    private static async Task<(int Node, string Connection)> SocketOfAsync(ChatCluster cluster, string user, string? previous)
    {
        var written = Enumerable.Range(0, cluster.NodeCount).Select(i => cluster.Node(i).Written).Merge();
        try
        {
            await Eventually.HoldsAsync(() => Current() is not null, $"{user} holds one socket on one node (not {previous ?? "none"})", written, TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException timeout)
        {
            throw new TimeoutException($"{timeout.Message}\n{cluster.Diagnostics()}", timeout);
        }
        return Current() ?? throw new InvalidOperationException($"{user}'s socket changed again:\n{cluster.Diagnostics()}");

        (int Node, string Connection)? Current()
        {
            var open = Enumerable.Range(0, cluster.NodeCount)
                .SelectMany(i => ConnectionLog.OpenConnectionsOf(cluster.Node(i).Output, user).Select(id => (Node: i, Connection: id)))
                .ToList();
            return open is [var only] && only.Connection != previous ? only : null;
        }
    }
}
