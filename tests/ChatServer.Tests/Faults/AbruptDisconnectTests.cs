using System.Diagnostics;
using ChatServer.Shared.Protocol;
using ChatServer.Tests.Support;
using Xunit.Abstractions;

namespace ChatServer.Tests.Faults;

public sealed class AbruptDisconnectTests(ITestOutputHelper output)
{
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan PresenceGrace = TimeSpan.FromMilliseconds(300);

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
        var silence = Stopwatch.StartNew();
        await presence.WaitUntilAsync(p => !p.ContainsKey("carol"), TimeSpan.FromSeconds(30));
        silence.Stop();

        output.WriteLine($"keep-alive interval {KeepAliveInterval.TotalMilliseconds} ms, timeout {KeepAliveTimeout.TotalMilliseconds} ms, presence grace {PresenceGrace.TotalMilliseconds} ms");
        output.WriteLine($"carol left presence {silence.ElapsedMilliseconds} ms after she fell silent");
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
        socket.Socket.Abort();
        var gone = Stopwatch.StartNew();
        await presence.WaitUntilAsync(p => !p.ContainsKey("carol"), TimeSpan.FromSeconds(30));

        output.WriteLine($"carol left presence {gone.ElapsedMilliseconds} ms after her socket was aborted (presence grace {PresenceGrace.TotalMilliseconds} ms)");
        presence.Items.Keys.Should().Equal("alice");
    }

    private static Task<ChatHost> StartWithShortKeepAliveAsync() => ChatHost.StartAsync(options =>
    {
        options.KeepAliveInterval = KeepAliveInterval;
        options.KeepAliveTimeout = KeepAliveTimeout;
        options.PresenceGrace = PresenceGrace;
    });
}
