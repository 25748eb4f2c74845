using System.Collections.Concurrent;
using ChatServer.Shared;
using ChatServer.Shared.Protocol;
using ChatServer.Storage.Redis;
using ChatServer.Tests.Support;
using Reactive.Edits;
using Reactive.Edits.Remote;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ChatServer.Tests.Cluster;

/// <summary>Three chat server processes behind HAProxy over one <c>redis-server</c> (<see cref="ChatCluster"/>), with
/// clients on the balancer's URL sending while a node is SIGKILLed, or Redis is: every send settles, every acked message
/// is in the log once, and none is there twice.</summary>
public sealed class ClusterFaultTests(ITestOutputHelper output)
{
    private const int Users = 6;
    private const int PerUser = 12;
    // Only a guard against a hang: a send whose node died waits for its client's reconnect and resend.
    private static readonly TimeSpan SettleGuard = TimeSpan.FromSeconds(60);
    // Behind the balancer every client has its address: the per-address send budget would count all users as one.
    private const string NoAddressLimit = "--Chat:AddressRateLimitCount=0";

    [SkippableFact]
    public async Task NodeKilled_WhileClientsSend_TheyReconnectThroughTheBalancerAndResend_EveryAckedMessageIsStoredOnce()
    {
        // The demo latency holds each send 0.3 s on its node before it is written: the kill finds sends in flight there.
        await using var cluster = await ChatCluster.StartAsync(3, NoAddressLimit, "--Chat:Demo:Latency=00:00:00.3");
        var senders = await ConnectAsync(cluster);
        await using var _ = senders;

        var run = senders.SendAllAsync(PerUser);
        await senders.WaitUntilAcceptedAsync(Users * PerUser / 3);
        var inFlight = await senders.InFlightAsync();
        var acceptedAtKill = senders.Accepted.Count;
        await cluster.KillNodeAsync(0);
        var killedAt = DateTimeOffset.UtcNow;
        await run.WaitAsync(TimeSpan.FromMinutes(3));
        var log = await ReadLogAsync(cluster.Redis);

        output.WriteLine($"node1 SIGKILLed after {acceptedAtKill} acks, with {inFlight.Count} sends in flight; {senders.Reconnected} of {Users} clients reconnected; last send settled {(DateTimeOffset.UtcNow - killedAt).TotalSeconds:F1} s after the kill");
        output.WriteLine(log.Describe(senders));
        senders.Reconnected.Should().BeGreaterThan(0, "round robin put some clients on the killed node");
        AssertEverySendStoredOnce(senders, log);
    }

    [SkippableFact]
    public async Task RedisKilledAndRestarted_WhileClientsSend_SendsStayPending_ThenEveryOneIsStoredOnce()
    {
        await using var cluster = await ChatCluster.StartAsync(3, NoAddressLimit);
        var senders = await ConnectAsync(cluster);
        await using var _ = senders;
        // A reader on each node itself, past the balancer: each must see every message, in the same order.
        var watchers = new List<RawSocket>();
        for (var i = 0; i < cluster.NodeCount; i++)
        {
            var watcher = await TestUser.Anonymous(cluster.NodeAddress(i)).ConnectRawAsync();
            await watcher.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.WelcomeType));
            watchers.Add(watcher);
        }

        var run = senders.SendAllAsync(PerUser);
        await senders.WaitUntilAcceptedAsync(Users * PerUser / 3);
        var killedAt = DateTimeOffset.UtcNow;
        await cluster.Redis.KillAsync();
        // Redis may still run a script between killedAt and the signal taking effect; from diedAt it can write nothing.
        var diedAt = DateTimeOffset.UtcNow;
        var acceptedAtKill = senders.Accepted.Count;
        var inFlight = await senders.InFlightAsync();
        // Redis stays away until every node's feed has failed to read it: sends are in flight meanwhile.
        for (var i = 0; i < cluster.NodeCount; i++)
        {
            await cluster.Node(i).WaitForOutputAsync("cannot read Redis after offset");
        }
        var restartedAt = DateTimeOffset.UtcNow;
        await cluster.Redis.RestartAsync();
        await run.WaitAsync(TimeSpan.FromMinutes(3));
        var log = await ReadLogAsync(cluster.Redis);
        // A send may settle during the outage only if its script ran before the kill (its ack was on its way): its
        // message was stamped before the kill. One written after the restart was stamped then, and settled after it.
        var settledDuringOutage = senders.SettledBetween(killedAt, restartedAt);
        var writtenDuringOutage = settledDuringOutage.Where(id => log.SentAt[id] >= diedAt).ToList();
        var pendingThroughOutage = inFlight.Where(id => senders.SettledAt(id) > restartedAt).ToList();

        output.WriteLine($"redis SIGKILLed after {acceptedAtKill} acks, away for {(restartedAt - killedAt).TotalSeconds:F1} s; {inFlight.Count} sends in flight: {pendingThroughOutage.Count} stayed pending through the outage, {settledDuringOutage.Count} settled during it (written before the kill: {settledDuringOutage.Count - writtenDuringOutage.Count}); the last settled {(DateTimeOffset.UtcNow - restartedAt).TotalSeconds:F1} s after the restart");
        output.WriteLine(log.Describe(senders));
        writtenDuringOutage.Should().BeEmpty("nothing is written, so nothing is acked, while Redis is away");
        pendingThroughOutage.Should().NotBeEmpty("sends in flight stay pending while Redis is away, never failed");
        AssertEverySendStoredOnce(senders, log);
        var seen = new List<List<(Guid Id, long Sequence)>>();
        foreach (var watcher in watchers)
        {
            seen.Add(await watcher.ReceiveMessagesAsync(Users * PerUser));
        }
        seen[0].Select(m => m.Id).Should().Equal(log.MessageIds, "node 1 delivered every message once, in the log's order, through the outage");
        seen[1].Should().Equal(seen[0], "node 2 delivered them in the same order");
        seen[2].Should().Equal(seen[0], "node 3 delivered them in the same order");
    }

    private static void AssertEverySendStoredOnce(Senders senders, StoredLog log)
    {
        senders.Rejected.Should().BeEmpty("every send was valid and within the limits");
        senders.Accepted.Should().HaveCount(Users * PerUser, "every send settled, accepted");
        log.MessageIds.Should().OnlyHaveUniqueItems("no message is stored twice");
        log.EventIds.Should().OnlyHaveUniqueItems("no message was appended twice");
        log.MessageIds.Should().BeEquivalentTo(senders.Accepted, "every acked message is in the log, and nothing else");
        log.Sequences.Should().Equal(Enumerable.Range(1, log.Sequences.Count).Select(i => (long)i), "the sequence has no gap");
    }

    private static async Task<Senders> ConnectAsync(ChatCluster cluster)
    {
        var senders = new Senders();
        for (var i = 0; i < Users; i++)
        {
            var user = await TestUser.LoginAsync(cluster.Address, $"sender{i}");
            senders.Add(user, await user.ConnectAsync());
        }
        return senders;
    }

    // The room's log as Redis has it after the run: the stored messages, and the events that appended them.
    private static async Task<StoredLog> ReadLogAsync(RedisServer redis)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(RedisConnectionSettings.Parse(redis.EndPoint));
        var log = new RedisMessageLog(connection, new RedisRoomKeys(RedisRoomStore.Room), TimeProvider.System);
        var events = await log.ReadAfterAsync(0, 100_000);
        var messages = await log.RecentAsync(100_000);
        return new StoredLog(
            [.. messages.Select(m => m.Id)],
            [.. messages.Select(m => m.Sequence)],
            [.. events.Where(e => e.Message is { Revision: 0 }).Select(e => e.Message!.Id)],
            messages.GroupBy(m => m.Id).ToDictionary(g => g.Key, g => g.First().SentAt));
    }

    private sealed record StoredLog(List<Guid> MessageIds, List<long> Sequences, List<Guid> EventIds, Dictionary<Guid, DateTimeOffset> SentAt)
    {
        public string Describe(Senders senders) =>
            $"sent {senders.Sent}, acked {senders.Accepted.Count}, rejected {senders.Rejected.Count}; stored {MessageIds.Count}, distinct {MessageIds.Distinct().Count()}, " +
            $"append events {EventIds.Count}; lost (acked, not stored) {senders.Accepted.Except(MessageIds).Count()}, duplicated {MessageIds.Count - MessageIds.Distinct().Count()}";
    }

    // Clients that each send their messages one after the other (the next once the previous settled), as a user does.
    private sealed class Senders : IAsyncDisposable
    {
        private readonly List<(TestUser User, ChatClient Client)> _clients = [];
        private readonly ConcurrentDictionary<EditId, EditEventKind> _outcomes = new();
        private readonly ConcurrentDictionary<Guid, DateTimeOffset> _settledAt = new();
        private readonly ConcurrentDictionary<ChatClient, bool> _reconnected = new();
        private readonly ConcurrentDictionary<ChatClient, Guid> _inFlight = new();
        private readonly List<IDisposable> _subscriptions = [];
        private readonly System.Reactive.Subjects.Subject<System.Reactive.Unit> _changed = new();
        private int _sent;

        public int Sent => Volatile.Read(ref _sent);

        public IReadOnlyList<Guid> Accepted => [.. _outcomes.Where(o => o.Value == EditEventKind.Accepted).Select(o => o.Key.Value)];

        public IReadOnlyList<Guid> Rejected => [.. _outcomes.Where(o => o.Value == EditEventKind.Rejected).Select(o => o.Key.Value)];

        public int Reconnected => _reconnected.Count;

        public void Add(TestUser user, ChatClient client)
        {
            _clients.Add((user, client));
            _subscriptions.Add(client.Edits.Events.Subscribe(e =>
            {
                if (e.Kind is EditEventKind.Accepted or EditEventKind.Rejected)
                {
                    _settledAt.TryAdd(e.Edit.Id.Value, DateTimeOffset.UtcNow);
                    _outcomes[e.Edit.Id] = e.Kind;
                    Signal();
                }
            }));
            var connected = 0;
            _subscriptions.Add(client.Status.Subscribe(status =>
            {
                if (status.State == RemoteConnectionState.Connected && Interlocked.Increment(ref connected) > 1)
                {
                    _reconnected[client] = true;
                }
            }));
        }

        public Task SendAllAsync(int count) => Task.WhenAll(_clients.Select((c, i) => SendAsync(c.Client, i, count)));

        public Task WaitUntilAcceptedAsync(int count) =>
            Faults.Eventually.HoldsAsync(() => Accepted.Count >= count, $"{count} sends were acked", _changed, SettleGuard);

        public bool HasSettled(Guid id) => _outcomes.ContainsKey(new EditId(id));

        public DateTimeOffset SettledAt(Guid id) => _settledAt.TryGetValue(id, out var at) ? at : DateTimeOffset.MaxValue;

        public IReadOnlyList<Guid> SettledBetween(DateTimeOffset from, DateTimeOffset to) =>
            [.. _settledAt.Where(s => s.Value > from && s.Value < to).Select(s => s.Key)];

        // Waits until every user with sends left has one in flight, not settled, and returns them.
        public async Task<IReadOnlyList<Guid>> InFlightAsync()
        {
            await Faults.Eventually.HoldsAsync(() => !_inFlight.Values.Any(HasSettled), "every user with sends left has one in flight", _changed, SettleGuard);
            return [.. _inFlight.Values];
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var subscription in _subscriptions)
            {
                subscription.Dispose();
            }
            foreach (var (user, _) in _clients)
            {
                await user.DisposeAsync();
            }
        }

        private async Task SendAsync(ChatClient client, int user, int count)
        {
            for (var i = 0; i < count; i++)
            {
                var settled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Edit<ChatCommand>? edit = null;
                using (_changed.Subscribe(_ =>
                {
                    if (edit is { } sent && _outcomes.ContainsKey(sent.Id))
                    {
                        settled.TrySetResult();
                    }
                }))
                {
                    edit = client.Send($"user {user}, message {i}");
                    Interlocked.Increment(ref _sent);
                    _inFlight[client] = edit.Id.Value;
                    Signal();
                    await settled.Task.WaitAsync(SettleGuard);
                }
            }
            _inFlight.TryRemove(client, out _);
            Signal();
        }

        private void Signal()
        {
            lock (_changed)
            {
                _changed.OnNext(System.Reactive.Unit.Default);
            }
        }
    }
}
