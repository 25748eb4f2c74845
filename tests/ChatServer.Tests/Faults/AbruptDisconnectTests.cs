using System.Diagnostics;
using ChatServer.Shared.Protocol;
using ChatServer.Presence;
using ChatServer.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace ChatServer.Tests.Faults;

public sealed class AbruptDisconnectTests(ITestOutputHelper output)
{
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan PresenceGrace = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task SilentPeer_NoCloseFrameNoPong_LeavesPresenceAfterTheKeepAliveTimeout()
    {
        await using var host = await StartWithShortKeepAliveAsync();
        await using var alice = await TestUser.LoginAsync(host, "alice");
        await using var carol = await TestUser.LoginAsync(host, "carol");
        using var presence = new LiveCollection<PresenceEntry, string>((await alice.ConnectAsync()).Presence);

        // A peer that vanished without a trace (cable pulled, laptop asleep): the TCP connection stays open, nothing answers.
        await using var silent = await RawTcpWebSocket.ConnectAsync(carol);
        await presence.WaitUntilAsync(p => p.ContainsKey("carol"));
        var leaving = Tracker(host).WhenLeaveScheduled("carol");
        var silence = Stopwatch.StartNew();
        // The keep-alive verdict is the runtime WebSocket's own ping timer (real time, short here); the grace that
        // follows is on the host's clock.
        await leaving.WaitAsync(TimeSpan.FromSeconds(30));
        silence.Stop();
        _time.Advance(PresenceGrace);
        await presence.WaitUntilAsync(p => !p.ContainsKey("carol"), TimeSpan.FromSeconds(30));

        output.WriteLine($"keep-alive interval {KeepAliveInterval.TotalMilliseconds} ms, timeout {KeepAliveTimeout.TotalMilliseconds} ms, presence grace {PresenceGrace.TotalMilliseconds} ms");
        output.WriteLine($"the server gave carol up {silence.ElapsedMilliseconds} ms after she fell silent (then the grace passed on the fake clock)");
        presence.Items.Keys.Should().Equal("alice");
    }

    [Fact]
    public async Task AbortedSocket_NoCloseFrame_LeavesPresence()
    {
        await using var host = await StartWithShortKeepAliveAsync();
        await using var alice = await TestUser.LoginAsync(host, "alice");
        await using var carol = await TestUser.LoginAsync(host, "carol");
        using var presence = new LiveCollection<PresenceEntry, string>((await alice.ConnectAsync()).Presence);
        var socket = await carol.ConnectRawAsync();
        await presence.WaitUntilAsync(p => p.ContainsKey("carol"));

        // The TCP connection ends without a WebSocket close frame.
        var leaving = Tracker(host).WhenLeaveScheduled("carol");
        socket.Socket.Abort();
        var gone = Stopwatch.StartNew();
        await leaving.WaitAsync(TimeSpan.FromSeconds(30));
        presence.Items.Should().ContainKey("carol", "the grace window has not passed on the host's clock");
        _time.Advance(PresenceGrace);
        await presence.WaitUntilAsync(p => !p.ContainsKey("carol"), TimeSpan.FromSeconds(30));

        output.WriteLine($"carol's leave was scheduled {gone.ElapsedMilliseconds} ms after her socket was aborted (presence grace {PresenceGrace.TotalMilliseconds} ms on the fake clock)");
        presence.Items.Keys.Should().Equal("alice");
    }

    private readonly FakeTimeProvider _time = new();

    private static PresenceTracker Tracker(ChatHost host) => host.Services.GetRequiredService<PresenceTracker>();

    private Task<ChatHost> StartWithShortKeepAliveAsync() => ChatHost.StartAsync(options =>
    {
        options.KeepAliveInterval = KeepAliveInterval;
        options.KeepAliveTimeout = KeepAliveTimeout;
        options.PresenceGrace = PresenceGrace;
    }, _time);
}
