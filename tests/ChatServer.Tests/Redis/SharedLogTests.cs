using System.Net;
using ChatServer.Chat;
using ChatServer.Shared.Protocol;
using ChatServer.Storage;
using ChatServer.Storage.Redis;
using ChatServer.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Reactive.Edits;
using Reactive.Edits.Remote;
using Xunit.Abstractions;

namespace ChatServer.Tests.Redis;

/// <summary>Chat nodes in this process with their messages in one real <c>redis-server</c> (<c>Chat:Store:Kind=Redis</c>):
/// one order on every node, one effect per edit id whichever node it reaches, nothing failed or lost while Redis is
/// away, and a node cut off from Redis catching up without a gap.</summary>
public sealed class SharedLogTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Sends_OnThreeNodesAtOnce_AreSeenInOneOrderOnEveryNode_EachSenderSeeingItsMessageBeforeItsAck()
    {
        await using var redis = await RedisServer.StartAsync();
        var nodes = await StartNodesAsync(redis.EndPoint, 3);
        await using var _ = new AsyncDisposables(nodes);
        var watchers = new List<RawSocket>();
        foreach (var node in nodes)
        {
            watchers.Add(await JoinAsync(TestUser.Anonymous(node)));
        }
        const int PerNode = 20;
        var senders = new List<RawSocket>();
        for (var i = 0; i < nodes.Count; i++)
        {
            senders.Add(await JoinAsync(await TestUser.LoginAsync(nodes[i], $"user{i}")));
        }

        // Each sender sends its messages one after the other, all senders at once: the nodes' writes interleave.
        var sent = await Task.WhenAll(senders.Select((sender, i) => SendAllAsync(sender, $"n{i}", PerNode)));
        var orders = new List<List<(Guid Id, long Sequence)>>();
        foreach (var watcher in watchers)
        {
            orders.Add(await watcher.ReceiveMessagesAsync(nodes.Count * PerNode));
        }

        var total = nodes.Count * PerNode;
        output.WriteLine($"{total} messages sent over {nodes.Count} nodes; each node's watcher saw {string.Join(", ", orders.Select(o => o.Count))}");
        orders[0].Select(m => m.Sequence).Should().Equal(Enumerable.Range(1, total).Select(i => (long)i), "the sequence is one order over all nodes, with no gap");
        orders[1].Should().Equal(orders[0], "node B delivers in the log's order");
        orders[2].Should().Equal(orders[0], "node C delivers in the log's order");
        orders[0].Select(m => m.Id).Should().BeEquivalentTo(sent.SelectMany(ids => ids), "every acked message is delivered once on every node");
        foreach (var sender in senders)
        {
            foreach (var frame in sender.Received.Where(f => RawSocket.Is(f, "ack")))
            {
                var id = Guid.Parse((string)frame["id"]!);
                sender.Received.FindIndex(f => RawSocket.Is(f, ChatProtocol.MessageType) && (string?)f["payload"]!["id"] == id.ToString())
                    .Should().BeInRange(0, sender.Received.IndexOf(frame) - 1, "the sender's node posts the message before the ack");
            }
        }
    }

    [SkippableFact]
    public async Task Resend_ToAnotherNodeAfterAReconnect_IsAnsweredWithTheFirstOutcomeAndStoredOnce()
    {
        await using var redis = await RedisServer.StartAsync();
        var nodes = await StartNodesAsync(redis.EndPoint, 2);
        await using var _ = new AsyncDisposables(nodes);
        await using var aliceOnA = await TestUser.LoginAsync(nodes[0], "alice");
        await using var aliceOnB = await TestUser.LoginAsync(nodes[1], "alice");
        var watcherOnB = await JoinAsync(TestUser.Anonymous(nodes[1]));
        var sendId = Guid.NewGuid();
        var editId = Guid.NewGuid();

        // The first attempts reach node A; their acks are "lost" with the socket, and the client resends to node B.
        await using (var onA = await JoinAsync(aliceOnA))
        {
            await onA.SendEditAsync(sendId, 1, """{"text":"once"}""");
            await onA.ReceiveUntilAsync(f => RawSocket.Is(f, "ack", sendId));
            await onA.SendEditAsync(editId, 1, ChatProtocol.EditMessageKind, $$"""{"messageId":"{{sendId}}","text":"once, edited","baseRevision":0}""");
            await onA.ReceiveUntilAsync(f => RawSocket.Is(f, "ack", editId));
        }
        var onB = await JoinAsync(aliceOnB);
        await onB.SendEditAsync(sendId, 2, """{"text":"once"}""");
        var sendAnswer = await onB.ReceiveUntilAsync(f => RawSocket.Is(f, "ack", sendId) || RawSocket.Is(f, "reject", sendId));
        await onB.SendEditAsync(editId, 2, ChatProtocol.EditMessageKind, $$"""{"messageId":"{{sendId}}","text":"once, edited","baseRevision":0}""");
        var editAnswer = await onB.ReceiveUntilAsync(f => RawSocket.Is(f, "ack", editId) || RawSocket.Is(f, "reject", editId));
        var marker = Guid.NewGuid();
        await onB.SendEditAsync(marker, 1, """{"text":"after the resends"}""");
        await onB.ReceiveUntilAsync(f => RawSocket.Is(f, "ack", marker));
        await watcherOnB.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.MessageType) && (string?)f["payload"]!["id"] == marker.ToString());
        var stored = await nodes[0].Services.GetRequiredService<RedisRoomStore>().Log.RecentAsync(10);

        ((string?)sendAnswer["type"]).Should().Be("ack");
        ((string?)editAnswer["type"]).Should().Be("ack");
        stored.Should().HaveCount(2, "the send was stored once, and the marker");
        stored[0].Should().Match<ChatMessage>(m => m.Id == sendId && m.Text == "once, edited" && m.Revision == 1 && m.Sequence == 1);
        stored[0].EditIds.Should().Equal([editId], "the edit was applied once");
        var framesOfTheMessage = watcherOnB.Received
            .Where(f => RawSocket.Is(f, ChatProtocol.MessageType) && (string?)f["payload"]!["id"] == sendId.ToString())
            .Select(f => (long)f["payload"]!["revision"]!);
        framesOfTheMessage.Should().Equal([0L, 1L], "node B's watcher saw the message once, then the edit once, whatever the resends");
    }

    [SkippableFact]
    public async Task EditsAndDeletions_AcrossNodes_FirstEditFromARevisionWins_ForgeriesAreRefused_AndEveryNodeAgrees()
    {
        await using var redis = await RedisServer.StartAsync();
        var nodes = await StartNodesAsync(redis.EndPoint, 3);
        await using var _ = new AsyncDisposables(nodes);
        await using var aliceA = await TestUser.LoginAsync(nodes[0], "alice");
        await using var aliceB = await TestUser.LoginAsync(nodes[1], "alice");
        await using var mallory = await TestUser.LoginAsync(nodes[2], "mallory");
        var tabA = await aliceA.ConnectAsync();
        var tabB = await aliceB.ConnectAsync();
        using var viewC = new LiveCollection<ChatMessage, EditId>((await TestUser.Anonymous(nodes[2]).ConnectAsync()).Messages);
        var first = await tabA.SendAndSettleAsync("first");
        var second = await tabA.SendAndSettleAsync("second");
        await viewC.WaitUntilAsync(items => items.ContainsKey(second.Id));
        var message = viewC.Items[first.Id];

        // Two tabs on two nodes edit the same revision at once: the log decides, and both are acked.
        var edits = await Task.WhenAll(tabA.EditAndSettleAsync(message, "from A"), tabB.EditAndSettleAsync(message, "from B"));
        var forger = await JoinAsync(mallory);
        var forgery = Guid.NewGuid();
        await forger.SendEditAsync(forgery, 1, ChatProtocol.DeleteMessageKind, $$"""{"messageId":"{{first.Id.Value}}"}""");
        var forged = await forger.ReceiveUntilAsync(f => RawSocket.Is(f, "reject", forgery) || RawSocket.Is(f, "ack", forgery));
        var deletion = await tabB.DeleteAndSettleAsync(second.Id.Value);
        await viewC.WaitUntilAsync(items => !items.ContainsKey(second.Id) && items[first.Id].EditIds?.Count == 2);

        edits.Should().OnlyContain(edit => edit.Status == EditStatus.Accepted);
        deletion.Status.Should().Be(EditStatus.Accepted);
        ((string?)forged["code"]).Should().Be(ChatProtocol.NotAuthor);
        var final = viewC.Items[first.Id];
        final.Revision.Should().Be(1, "only the first edit from revision 0 applied");
        final.Text.Should().BeOneOf("from A", "from B");
        final.EditIds.Should().BeEquivalentTo(edits.Select(e => e.Id.Value), "the losing edit is acked and recorded, with the text unchanged");
        foreach (var node in nodes)
        {
            await Faults.Eventually.HoldsAsync(() => node.Room.SharedLogOffset == 5, "every node delivered the 5 events", node.Logs.Written, TimeSpan.FromSeconds(10));
            node.Room.Recent().Should().Equal([final], "every node's history agrees: the edited message, without the deleted one");
        }
    }

    [SkippableFact]
    public async Task RedisKilled_SendsStayPendingAndHistoryIsServed_ThenEachIsDeliveredOnceAfterTheRestart()
    {
        await using var redis = await RedisServer.StartAsync();
        var nodes = await StartNodesAsync(redis.EndPoint, 2);
        await using var _ = new AsyncDisposables(nodes);
        await using var alice = await TestUser.LoginAsync(nodes[0], "alice");
        var client = await alice.ConnectAsync();
        var before = await client.SendAndSettleAsync("before the outage");
        var watcherOnB = await JoinAsync(TestUser.Anonymous(nodes[1]));
        await watcherOnB.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.HistoryType));
        var store = nodes[0].Services.GetRequiredService<RedisRoomStore>();

        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<EditId, EditEventKind>();
        var allAccepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ids = new List<Guid>();
        using var watch = client.Edits.Events.Subscribe(e =>
        {
            if (e.Kind is EditEventKind.Accepted or EditEventKind.Rejected)
            {
                outcomes[e.Edit.Id] = e.Kind;
                lock (ids)
                {
                    if (ids.Count == 3 && ids.All(id => outcomes.TryGetValue(new EditId(id), out var kind) && kind == EditEventKind.Accepted))
                    {
                        allAccepted.TrySetResult();
                    }
                }
            }
        });

        await redis.KillAsync();
        lock (ids)
        {
            ids.AddRange(Enumerable.Range(0, 3).Select(i => client.Send($"during the outage {i}").Id.Value));
        }
        await Faults.Eventually.HoldsAsync(() => store.Retry.Retries > 0, "node A tried to write while Redis was away", nodes[0].Logs.Written, TimeSpan.FromSeconds(20));
        var settledWhileDown = ids.Count(id => outcomes.ContainsKey(new EditId(id)));
        await using var reader = TestUser.Anonymous(nodes[0]);
        var history = await (await JoinAsync(reader)).ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.HistoryType));
        // Without a cookie: a logged-in request looks its session up in Redis, which is away.
        using var probe = new HttpClient { BaseAddress = nodes[0].Address };
        using var health = await probe.GetAsync(HealthEndpoints.Path);
        var healthText = await health.Content.ReadAsStringAsync();
        await redis.RestartAsync();
        await allAccepted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var seenOnB = await watcherOnB.ReceiveMessagesAsync(3);
        var stored = await store.Log.RecentAsync(10);

        settledWhileDown.Should().Be(0, "a send whose outcome Redis holds stays pending, never failed");
        history["payload"]!["messages"]!.AsArray().Select(m => (string?)m!["id"]).Should().Equal(before.Id.Value.ToString());
        health.StatusCode.Should().Be(HttpStatusCode.OK, "Redis away is no reason for a balancer to take the node out");
        healthText.Should().StartWith("Degraded").And.Contain("redis: Redis is unavailable");
        output.WriteLine($"/health while Redis was away: {healthText.ReplaceLineEndings(" | ")}");
        seenOnB.Select(m => m.Id).Should().Equal(ids, "node B delivers each once, in the order node A sent them");
        stored.Select(m => m.Id).Should().Equal([before.Id.Value, .. ids], "nothing acked before the kill was lost, and each pending send was stored once");
    }

    [SkippableFact]
    public async Task NodeCutOffFromRedis_WhileOthersSend_CatchesUpInOrderWithoutAGapOrADuplicate()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var relay = TcpRelay.Start(redis.EndPoint);
        await using var cutOff = await StartNodeAsync(relay.EndPoint);
        await using var other = await StartNodeAsync(redis.EndPoint);
        await using var bob = await TestUser.LoginAsync(other, "bob");
        var sender = await JoinAsync(bob);
        var watcher = await JoinAsync(TestUser.Anonymous(cutOff));
        var ids = new List<Guid>();
        ids.AddRange(await SendAllAsync(sender, "before", 5));
        await watcher.ReceiveMessagesAsync(5);

        await relay.CutAsync();
        ids.AddRange(await SendAllAsync(sender, "while cut off", 10));
        var seenWhileCut = watcher.Received.Count(f => RawSocket.Is(f, ChatProtocol.MessageType));
        relay.Restore();
        ids.AddRange(await SendAllAsync(sender, "after", 5));
        var seen = await watcher.ReceiveMessagesAsync(20);

        output.WriteLine($"20 sent on the other node; the cut-off node's watcher had {seenWhileCut} during the cut and {seen.Count} after it");
        seenWhileCut.Should().Be(5, "the cut-off node could not read the log");
        seen.Select(m => m.Id).Should().Equal(ids, "the node resumed from the last event it delivered: no gap, no duplicate");
        seen.Select(m => m.Sequence).Should().Equal(Enumerable.Range(1, 20).Select(i => (long)i));
    }

    private static Task<ChatHost> StartNodeAsync(string redis) =>
        ChatHost.StartNodeAsync(redis, options =>
        {
            options.Store.Kind = StoreKind.Redis;
            options.Store.RedisRetryInterval = TimeSpan.FromMilliseconds(100);
            options.Store.RedisPollInterval = TimeSpan.FromMilliseconds(200);
        });

    private static async Task<List<ChatHost>> StartNodesAsync(string redis, int count)
    {
        var nodes = new List<ChatHost>();
        for (var i = 0; i < count; i++)
        {
            nodes.Add(await StartNodeAsync(redis));
        }
        return nodes;
    }

    private static async Task<RawSocket> JoinAsync(TestUser user)
    {
        var socket = await user.ConnectRawAsync();
        await socket.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.WelcomeType));
        return socket;
    }

    // Sends one after the other, each after the previous one's ack; returns the ids in order.
    private static async Task<List<Guid>> SendAllAsync(RawSocket sender, string prefix, int count)
    {
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var id = Guid.NewGuid();
            await sender.SendEditAsync(id, 1, $$"""{"text":"{{prefix}} {{i}}"}""");
            var answer = await sender.ReceiveUntilAsync(f => RawSocket.Is(f, "ack", id) || RawSocket.Is(f, "reject", id));
            ((string?)answer["type"]).Should().Be("ack", $"{prefix} {i} was sent by a logged-in user within the limits");
            ids.Add(id);
        }
        return ids;
    }

    private sealed class AsyncDisposables(IEnumerable<IAsyncDisposable> items) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var item in items.Reverse())
            {
                await item.DisposeAsync();
            }
        }
    }
}
