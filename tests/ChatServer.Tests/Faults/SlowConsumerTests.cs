using System.Diagnostics;
using System.Reactive.Linq;
using ChatServer.Shared;
using ChatServer.Shared.Protocol;
using ChatServer.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Reactive.Edits;
using Xunit.Abstractions;

namespace ChatServer.Tests.Faults;

public sealed class SlowConsumerTests(ITestOutputHelper output)
{
    // Small enough that the client that stops reading overflows quickly, large enough (1 MiB of these messages) that
    // the clients that do read never do, even when a busy machine stalls their reading for a moment.
    private const int OutboxCapacity = 256;
    private const int TextLength = 4000;
    private const int PhaseMessages = 300;
    private const int Window = 16;

    // The host's one clock: the close timeout after an overflow elapses when the test says so, not in real seconds.
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task ClientThatStopsReading_IsDisconnectedAtItsOutboxBound_WhileTheOthersReceiveEverything()
    {
        await using var host = await StartAsync();
        await using var alice = await TestUser.LoginAsync(host, "alice");
        await using var bob = await TestUser.LoginAsync(host, "bob");
        await using var dave = await TestUser.LoginAsync(host, "dave");
        await using var slowUser = await TestUser.LoginAsync(host, "slow");
        var sender = await alice.ConnectAsync();
        using var presence = new LiveCollection<PresenceEntry, string>(sender.Presence);
        using var bobSees = new LiveCollection<ChatMessage, EditId>((await bob.ConnectAsync()).Messages);
        using var daveSees = new LiveCollection<ChatMessage, EditId>((await dave.ConnectAsync()).Messages);
        var receivers = new[] { bobSees, daveSees };
        var sent = new HashSet<EditId>();

        // Unmeasured: the first messages pay for JIT compilation and buffer growth.
        await PhaseAsync(sender, "warm-up", PhaseMessages, receivers, sent, stop: null);
        var (before, _) = await PhaseAsync(sender, "before", PhaseMessages, receivers, sent, stop: null);

        // The slow client: upgraded, then it never reads. Its TCP window is small, so the server's socket and
        // Kestrel's output buffer fill, the send loop blocks, and the outbox grows to its bound.
        await using var slow = await RawTcpWebSocket.ConnectAsync(slowUser, receiveBufferSize: 4096);
        await presence.WaitUntilAsync(p => p.ContainsKey("slow"));
        var (stall, stallCount) = await PhaseAsync(sender, "stall", 100 * PhaseMessages, receivers, sent, stop: () => host.Room.SlowConsumersDisconnected > 0);
        // The overflow started the close timeout; a client that does not read never answers the close: it is aborted.
        _time.Advance(CloseTimeout);
        await presence.WaitUntilAsync(p => !p.ContainsKey("slow"), TimeSpan.FromSeconds(60));

        var (after, _) = await PhaseAsync(sender, "after", PhaseMessages, receivers, sent, stop: null);
        var (frames, closeStatus) = await slow.DrainAsync();

        output.WriteLine($"outbox capacity {OutboxCapacity} frames, messages of {TextLength} characters, sender window {Window}");
        output.WriteLine($"delivery rate to the two other clients: before {before:0} msg/s, during the stall {stall:0} msg/s ({stallCount} messages until the slow client was cut off), after {after:0} msg/s");
        output.WriteLine($"stall / before = {stall / before:0.00}");
        output.WriteLine($"the slow client received {frames} whole frames of {sent.Count + 3}; close status seen by it: {(closeStatus?.ToString() ?? "none (aborted after the close timeout)")}");

        host.Room.SlowConsumersDisconnected.Should().Be(1, "the slow client, and only it, overflowed its outbox");
        foreach (var receiver in receivers)
        {
            receiver.Items.Keys.Should().Contain(sent, "the others receive every message, the slow one notwithstanding");
        }
        frames.Should().BeLessThan(sent.Count, "the slow client was disconnected before it could be sent everything");
        if (closeStatus is { } status)
        {
            status.Should().Be(1008, "a slow consumer is closed with PolicyViolation");
        }
    }

    [Fact]
    public async Task ClientThatReadsTooLate_GetsClose1008AfterTheFramesAlreadySent()
    {
        // The client starts reading as soon as the overflow is counted, within the close timeout (the fake clock stands
        // still); it never answers the close, so the server aborts the socket when the timeout ends.
        await using var host = await StartAsync();
        await using var alice = await TestUser.LoginAsync(host, "alice");
        await using var slowUser = await TestUser.LoginAsync(host, "slow");
        var sender = await alice.ConnectAsync();
        using var presence = new LiveCollection<PresenceEntry, string>(sender.Presence);
        await using var slow = await RawTcpWebSocket.ConnectAsync(slowUser, receiveBufferSize: 4096);
        await presence.WaitUntilAsync(p => p.ContainsKey("slow"));
        using var sending = new ContinuousSender(sender, "burst", Window, TextLength);
        using var stop = new CancellationTokenSource();

        var run = sending.RunAsync(100 * PhaseMessages, stop.Token);
        // The sender keeps getting acks while the slow client's outbox fills, so each settlement is a moment to look again.
        await Eventually.HoldsAsync(() => host.Room.SlowConsumersDisconnected > 0 || run.IsCompleted, "the slow client's outbox overflowed", sending.Settled.Merge(Eventually.Completion(run)));
        await stop.CancelAsync();
        await run;
        var (frames, closeStatus) = await slow.DrainAsync(untilCloseFrame: true);
        _time.Advance(CloseTimeout);
        await presence.WaitUntilAsync(p => !p.ContainsKey("slow"), TimeSpan.FromSeconds(60));

        output.WriteLine($"sent {sending.Sent.Count}; the late reader received {frames} whole frames, then close status {closeStatus?.ToString() ?? "none"}");
        host.Room.SlowConsumersDisconnected.Should().Be(1);
        closeStatus.Should().Be(1008, "a client that reads again within the close timeout is told why it was cut off");
    }

    // Sends `count` messages (or until `stop` holds), waits until both receivers have them, and returns the delivery rate.
    private static async Task<(double Rate, int Count)> PhaseAsync(ChatClient client, string name, int count, LiveCollection<ChatMessage, EditId>[] receivers, HashSet<EditId> sent, Func<bool>? stop)
    {
        using var sender = new ContinuousSender(client, name, Window, TextLength);
        using var cancel = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var sending = sender.RunAsync(count, cancel.Token);
        if (stop is not null)
        {
            await Eventually.HoldsAsync(() => stop() || sending.IsCompleted, $"phase {name}: the stop condition", sender.Settled.Merge(Eventually.Completion(sending)));
            await cancel.CancelAsync();
        }
        await sending;
        await Eventually.HoldsAsync(() => sender.Unsettled().Count == 0, $"phase {name}: every send settled", sender.Settled);
        sender.Rejected.Should().BeEmpty();
        var ids = sender.Sent.Keys.ToList();
        foreach (var receiver in receivers)
        {
            await receiver.WaitUntilAsync(items => ids.All(items.ContainsKey), TimeSpan.FromSeconds(60));
        }
        clock.Stop();
        sent.UnionWith(ids);
        return (ids.Count / clock.Elapsed.TotalSeconds, ids.Count);
    }

    private Task<ChatHost> StartAsync() => ChatHost.StartAsync(options =>
    {
        options.OutboxCapacity = OutboxCapacity;
        options.MaxMessageLength = TextLength;
        options.RateLimitCount = 1_000_000;
        // Small history frames (the client's frame limit is 64 KiB) and no keep-alive verdict during the test:
        // only the outbox bound may end the slow connection.
        options.HistorySize = 10;
        options.KeepAliveInterval = TimeSpan.FromMinutes(10);
        options.CloseTimeout = CloseTimeout;
        // The window between groups of sends runs on the host's clock too, which stands still here: every send after the
        // first would wait for it. These tests are about a reader's outbox, which fills with one frame per send this way.
        options.SendBatchWindow = TimeSpan.Zero;
    }, _time);
}
