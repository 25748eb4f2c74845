using System.Text.Json.Nodes;
using ChatServer.Shared.Protocol;
using ChatServer.Tests.Faults;
using ChatServer.Tests.Support;

namespace ChatServer.Tests.Integration;

/// <summary>Sends that queue while the room stores another are stored together and go out as one <c>messages</c>
/// frame: one write per connection for the group, each ack still after the frame that holds its message.</summary>
public sealed class MessageBatchTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Sends_QueuedBehindACommit_ReachEveryConnectionInOneMessagesFrame_InSequenceOrder_BeforeTheirAcks()
    {
        var store = new HeldStore(holdText: "first");
        await using var host = await store.StartHostAsync();
        await using var reader = TestUser.Anonymous(host);
        await using var readerSocket = await reader.ConnectRawAsync();
        await readerSocket.ReceiveUntilAsync(frame => RawSocket.Is(frame, ChatProtocol.HistoryType));
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var senders = new List<RawSocket>();
        for (var i = 0; i < 4; i++)
        {
            senders.Add(await alice.ConnectRawAsync());
        }

        var ids = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToArray();
        await QueueBehindTheFirstAsync(host, store, senders, ids, ["first", "second", "third", "fourth"]);
        store.Release();

        var single = await readerSocket.ReceiveUntilAsync(frame => RawSocket.Is(frame, ChatProtocol.MessageType));
        var batch = await readerSocket.ReceiveUntilAsync(frame => RawSocket.Is(frame, ChatProtocol.MessagesType));
        ((string?)single["payload"]!["text"]).Should().Be("first");
        var batched = batch["payload"]!["messages"]!.AsArray();
        batched.Select(m => (string?)m!["text"]).Should().Equal("second", "third", "fourth");
        batched.Select(m => (long)m!["sequence"]!).Should().Equal(2, 3, 4);
        batched.Select(m => (string?)m!["id"]).Should().Equal(ids[1..].Select(id => id.ToString()));
        for (var i = 1; i < 4; i++)
        {
            await senders[i].ReceiveUntilAsync(frame => RawSocket.Is(frame, "ack", ids[i]));
            var received = senders[i].Received;
            received.FindIndex(frame => RawSocket.Is(frame, ChatProtocol.MessagesType)).Should()
                .BeLessThan(received.FindIndex(frame => RawSocket.Is(frame, "ack", ids[i])), "a send's ack follows the frame that holds its message");
        }
        foreach (var sender in senders)
        {
            await sender.DisposeAsync();
        }
    }

    [Fact]
    public async Task Sends_QueuedBehindACommit_ArriveInTheChatClientAsOneChangeSet()
    {
        var store = new HeldStore(holdText: "first");
        await using var host = await store.StartHostAsync();
        await using var reader = TestUser.Anonymous(host);
        var client = await reader.ConnectAsync();
        var changeSets = new List<int>();
        using var counting = client.Messages.Subscribe(changes => { lock (changeSets) { changeSets.Add(changes.Count); } });
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var senders = new List<RawSocket>();
        for (var i = 0; i < 3; i++)
        {
            senders.Add(await alice.ConnectRawAsync());
        }

        await QueueBehindTheFirstAsync(host, store, senders, [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()], ["first", "queued 1", "queued 2"]);
        store.Release();
        using var view = new LiveCollection<ChatMessage, Reactive.Edits.EditId>(client.Messages);
        await view.WaitUntilAsync(items => items.Count == 3);

        lock (changeSets)
        {
            changeSets.Should().Contain(2, "the two queued sends came in one frame and were applied as one change set");
        }
        foreach (var sender in senders)
        {
            await sender.DisposeAsync();
        }
    }

    // The first send's commit holds the store; the others queue behind it, one at a time so that their order is known.
    private static async Task QueueBehindTheFirstAsync(ChatHost host, HeldStore store, List<RawSocket> senders, Guid[] ids, string[] texts)
    {
        // Every sender has joined (its join posts its history frame) before the first send: each one's frames start
        // from a known point.
        foreach (var sender in senders)
        {
            await sender.ReceiveUntilAsync(frame => RawSocket.Is(frame, ChatProtocol.HistoryType));
        }
        await senders[0].SendEditAsync(ids[0], 1, $$"""{"text":"{{texts[0]}}"}""");
        await store.Held.Task.WaitAsync(Guard);
        for (var i = 1; i < texts.Length; i++)
        {
            var waiting = i;
            var queued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Action<int> onQueued = count =>
            {
                if (count == waiting)
                {
                    queued.TrySetResult();
                }
            };
            host.Room.SendQueued += onQueued;
            try
            {
                await senders[i].SendEditAsync(ids[i], 1, $$"""{"text":"{{texts[i]}}"}""");
                await queued.Task.WaitAsync(Guard);
            }
            finally
            {
                host.Room.SendQueued -= onQueued;
            }
        }
    }
}
