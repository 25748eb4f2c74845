using ChatServer.Shared.Protocol;
using ChatServer.Tests.Support;

namespace ChatServer.Tests.Integration;

/// <summary>A join does not wait for a write under way: the store's write of a group of sends or of an edit (its disk
/// flush) runs outside the room's gate, and only posting the change takes the gate. A joiner gets each change once, in
/// its history or as a live frame after it, never both and never neither.</summary>
public sealed class JoinDuringCommitTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AJoin_WhileASendIsBeingCommitted_GetsItsHistoryAtOnce_ThenThatMessageOnce()
    {
        var store = new HeldStore(holdText: "held");
        await using var host = await store.StartHostAsync();
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var before = await (await alice.ConnectAsync()).SendAndSettleAsync("before");
        await using var sender = await alice.ConnectRawAsync();
        await sender.ReceiveUntilAsync(frame => RawSocket.Is(frame, ChatProtocol.HistoryType));
        var held = Guid.NewGuid();
        await sender.SendEditAsync(held, 1, """{"text":"held"}""");
        await store.Held.Task.WaitAsync(Guard);

        await using var visitor = TestUser.Anonymous(host);
        await using var joiner = await visitor.ConnectRawAsync();
        // While the commit is still held: with the write under the gate, the join waited for it and this timed out.
        var history = await joiner.ReceiveUntilAsync(frame => RawSocket.Is(frame, ChatProtocol.HistoryType));
        history["payload"]!["messages"]!.AsArray().Select(m => (string?)m!["id"]).Should()
            .Equal([before.Id.Value.ToString()], "the held send is not committed yet, so it is not history");

        store.Release();
        var live = await joiner.ReceiveUntilAsync(frame => RawSocket.Holds(frame, held));
        RawSocket.MessagesIn(live).Single(m => (string?)m["id"] == held.ToString())["text"]!.GetValue<string>().Should().Be("held");
        await sender.ReceiveUntilAsync(frame => RawSocket.Is(frame, "ack", held));
        joiner.Received.Count(frame => RawSocket.Holds(frame, held) || (RawSocket.Is(frame, ChatProtocol.HistoryType)
            && frame["payload"]!["messages"]!.AsArray().Any(m => (string?)m!["id"] == held.ToString())))
            .Should().Be(1, "the joiner gets the message once");
    }

    [Fact]
    public async Task AJoin_WhileAnEditIsBeingStored_GetsItsHistoryAtOnce_ThenThatEditOnce()
    {
        var store = new HeldStore(holdText: "held edit");
        await using var host = await store.StartHostAsync();
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var sent = await (await alice.ConnectAsync()).SendAndSettleAsync("as sent");
        await using var editor = await alice.ConnectRawAsync();
        await editor.ReceiveUntilAsync(frame => RawSocket.Is(frame, ChatProtocol.HistoryType));
        var edit = Guid.NewGuid();
        await editor.SendEditAsync(edit, 1, ChatProtocol.EditMessageKind, $$"""{"messageId":"{{sent.Id.Value}}","text":"held edit","baseRevision":0}""");
        await store.Held.Task.WaitAsync(Guard);

        await using var visitor = TestUser.Anonymous(host);
        await using var joiner = await visitor.ConnectRawAsync();
        // While the edit's write is still held: with the write under the gate, the join waited for it and this timed out.
        var history = await joiner.ReceiveUntilAsync(frame => RawSocket.Is(frame, ChatProtocol.HistoryType));
        history["payload"]!["messages"]!.AsArray().Select(m => (string?)m!["text"]).Should()
            .Equal(["as sent"], "the edit is not stored yet, so the history has the text as sent");

        store.Release();
        var live = await joiner.ReceiveUntilAsync(frame => RawSocket.Holds(frame, sent.Id.Value));
        RawSocket.MessagesIn(live).Single()["text"]!.GetValue<string>().Should().Be("held edit");
        await editor.ReceiveUntilAsync(frame => RawSocket.Is(frame, "ack", edit));
        joiner.Received.Count(frame => RawSocket.Holds(frame, sent.Id.Value)).Should().Be(1, "the joiner gets the edit once");
    }
}
