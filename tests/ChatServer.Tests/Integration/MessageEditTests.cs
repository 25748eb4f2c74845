using ChatServer.Chat;
using ChatServer.Shared.Protocol;
using ChatServer.Storage;
using ChatServer.Tests.Support;
using Reactive.Edits;
using Reactive.Edits.Optimistic;
using Reactive.Edits.Remote;

namespace ChatServer.Tests.Integration;

/// <summary>Edits and deletions of one's own messages (protocol version 3): seen by everyone, checked against the
/// connection's identity, durable, applied once, and conflicts resolved by server order.</summary>
public sealed class MessageEditTests
{
    [Fact]
    public async Task Edit_OwnMessage_EveryoneSeesTheNewTextRevisionAndEditTime()
    {
        await using var host = await ChatHost.StartAsync();
        await using var alice = await TestUser.LoginAsync(host, "alice");
        await using var bob = await TestUser.LoginAsync(host, "bob");
        var aliceClient = await alice.ConnectAsync();
        using var bobView = new LiveCollection<ChatMessage, EditId>((await bob.ConnectAsync()).Messages);
        var sent = await aliceClient.SendAndSettleAsync("helo");
        await bobView.WaitUntilAsync(items => items.ContainsKey(sent.Id));

        var edit = await aliceClient.EditAndSettleAsync(bobView.Items[sent.Id], "hello");

        edit.Status.Should().Be(EditStatus.Accepted);
        await bobView.WaitUntilAsync(items => items[sent.Id].Text == "hello");
        var seen = bobView.Items[sent.Id];
        seen.Should().Match<ChatMessage>(m => m.Revision == 1 && m.EditedAt != null && m.Sequence == 1 && m.User == "alice");
        seen.EditIds.Should().Equal(edit.Id.Value);
        host.Room.Recent().Should().ContainSingle().Which.Text.Should().Be("hello");
    }

    [Fact]
    public async Task Delete_OwnMessage_LeavesEveryViewAndTheHistoryOfNewConnections()
    {
        await using var host = await ChatHost.StartAsync();
        await using var alice = await TestUser.LoginAsync(host, "alice");
        await using var bob = await TestUser.LoginAsync(host, "bob");
        var aliceClient = await alice.ConnectAsync();
        using var bobView = new LiveCollection<ChatMessage, EditId>((await bob.ConnectAsync()).Messages);
        var kept = await aliceClient.SendAndSettleAsync("kept");
        var deleted = await aliceClient.SendAndSettleAsync("oops");
        await bobView.WaitUntilAsync(items => items.ContainsKey(deleted.Id));

        var deletion = await aliceClient.DeleteAndSettleAsync(deleted.Id.Value);

        deletion.Status.Should().Be(EditStatus.Accepted);
        await bobView.WaitUntilAsync(items => !items.ContainsKey(deleted.Id));
        await using var late = TestUser.Anonymous(host);
        using var lateView = new LiveCollection<ChatMessage, EditId>((await late.ConnectAsync()).Messages);
        await lateView.WaitUntilAsync(items => items.ContainsKey(kept.Id));
        lateView.Items.Keys.Should().Equal(kept.Id);
    }

    [Theory]
    [InlineData("edit-message", """{"messageId":"{0}","text":"mine now","baseRevision":0}""")]
    [InlineData("delete-message", """{"messageId":"{0}"}""")]
    public async Task ForgedChange_OfSomeoneElsesMessage_IsRejectedNotAuthorAndChangesNothing(string kind, string command)
    {
        await using var host = await ChatHost.StartAsync();
        await using var alice = await TestUser.LoginAsync(host, "alice");
        await using var mallory = await TestUser.LoginAsync(host, "mallory");
        var sent = await (await alice.ConnectAsync()).SendAndSettleAsync("alice's words");
        var forger = await mallory.ConnectRawAsync();
        var id = Guid.NewGuid();

        await forger.SendEditAsync(id, 1, kind, command.Replace("{0}", sent.Id.Value.ToString(), StringComparison.Ordinal));
        var answer = await forger.ReceiveUntilAsync(frame => RawSocket.Is(frame, "reject", id) || RawSocket.Is(frame, "ack", id));

        ((string?)answer["code"]).Should().Be(ChatProtocol.NotAuthor);
        host.Room.Recent().Should().ContainSingle().Which.Should().Match<ChatMessage>(m => m.Text == "alice's words" && m.Revision == 0);
        forger.Received.Should().NotContain(frame => RawSocket.Is(frame, "message", sent.Id.Value) && (string?)frame["payload"]!["text"] != "alice's words");
    }

    [Fact]
    public async Task Edit_UnknownMessage_IsRejectedMessageNotFound()
    {
        await using var host = await ChatHost.StartAsync();
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var client = await alice.ConnectAsync();

        var edit = await client.EditAndSettleAsync(new ChatMessage(Guid.NewGuid(), "alice", "never sent", DateTimeOffset.UnixEpoch, 1), "edited");

        edit.Error.Should().BeOfType<RemoteEditRejectedException>().Which.Code.Should().Be(ChatProtocol.MessageNotFound);
    }

    [Fact]
    public async Task Edit_OfAMessageDeletedInAnotherTab_IsRejectedMessageDeletedAndTheTextStaysOnTheFailedRow()
    {
        await using var host = await ChatHost.StartAsync();
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var firstTab = await alice.ConnectAsync();
        var secondTab = await alice.ConnectAsync();
        using var firstView = new LiveCollection<OptimisticItem<ChatMessage, EditId>, EditId>(firstTab.View);
        var sent = await firstTab.SendAndSettleAsync("short-lived");
        var shown = await WaitForMessageAsync(secondTab, sent.Id);
        await secondTab.DeleteAndSettleAsync(sent.Id.Value);
        await firstView.WaitUntilAsync(items => !items.ContainsKey(sent.Id));

        var edit = await firstTab.EditAndSettleAsync(shown, "too late");

        edit.Error.Should().BeOfType<RemoteEditRejectedException>().Which.Code.Should().Be(ChatProtocol.MessageDeleted);
        await firstView.WaitUntilAsync(items => items.TryGetValue(sent.Id, out var row) && row.State == OptimisticState.Failed);
        firstView.Items[sent.Id].Item.Text.Should().Be("too late", "the text typed is not lost: it stays on the failed row until discarded");
        firstTab.Discard(edit.Id).Should().BeTrue();
        await firstView.WaitUntilAsync(items => !items.ContainsKey(sent.Id));
    }

    [Fact]
    public async Task TwoTabs_EditFromTheSameRevision_TheFirstWinsAndTheSecondShowsTheServersTextWithAMismatch()
    {
        await using var host = await ChatHost.StartAsync();
        await using var alice = await TestUser.LoginAsync(host, "alice");
        await using var bob = await TestUser.LoginAsync(host, "bob");
        var firstTab = await alice.ConnectAsync();
        var secondTab = await alice.ConnectAsync();
        using var bobView = new LiveCollection<ChatMessage, EditId>((await bob.ConnectAsync()).Messages);
        using var secondView = new LiveCollection<OptimisticItem<ChatMessage, EditId>, EditId>(secondTab.View);
        var overridden = new List<PredictionMismatch<ChatMessage, EditId>>();
        var reported = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watch = secondTab.EditOverridden.Subscribe(mismatch =>
        {
            lock (overridden)
            {
                overridden.Add(mismatch);
            }
            reported.TrySetResult();
        });
        var sent = await firstTab.SendAndSettleAsync("draft");
        var original = await WaitForMessageAsync(secondTab, sent.Id);

        var first = await firstTab.EditAndSettleAsync(original, "first tab's text");
        var second = await secondTab.EditAndSettleAsync(original, "second tab's text");

        first.Status.Should().Be(EditStatus.Accepted);
        second.Status.Should().Be(EditStatus.Accepted, "a conflicting edit is settled: the server took it into account and kept the first");
        await secondView.WaitUntilAsync(items => items[sent.Id].State == OptimisticState.Confirmed);
        secondView.Items[sent.Id].Item.Text.Should().Be("first tab's text");
        await bobView.WaitUntilAsync(items => items[sent.Id].Text == "first tab's text" && items[sent.Id].Includes(second.Id.Value));
        bobView.Items[sent.Id].Revision.Should().Be(1);
        await reported.Task.WaitAsync(TimeSpan.FromSeconds(10));
        lock (overridden)
        {
            overridden.Should().ContainSingle().Which.Should().Match<PredictionMismatch<ChatMessage, EditId>>(
                m => m.Predicted.Text == "second tab's text" && m.Confirmed.Text == "first tab's text" && m.EditId == second.Id);
        }
    }

    [Fact]
    public async Task EditResent_AfterTheConnectionDroppedBeforeTheAck_IsAppliedOnceAndAnsweredWithTheFirstOutcome()
    {
        var directory = Directory.CreateTempSubdirectory("chat-edit-resend-");
        try
        {
            await using var host = await ChatHost.StartAsync(o => (o.Store.Kind, o.Store.Path) = (StoreKind.Sqlite, Path.Combine(directory.FullName, "chat.db")));
            await using var alice = await TestUser.LoginAsync(host, "alice");
            await using var watcher = TestUser.Anonymous(host);
            var sent = await (await alice.ConnectAsync()).SendAndSettleAsync("frist");
            using var seen = new LiveCollection<ChatMessage, EditId>((await watcher.ConnectAsync()).Messages);
            var editId = Guid.NewGuid();
            var command = $$"""{"messageId":"{{sent.Id.Value}}","text":"first","baseRevision":0}""";
            var sender = await alice.ConnectRawAsync();
            await sender.SendEditAsync(editId, 1, ChatProtocol.EditMessageKind, command);
            await seen.WaitUntilAsync(items => items[sent.Id].Text == "first");
            sender.Socket.Abort();

            var resender = await alice.ConnectRawAsync();
            await resender.SendEditAsync(editId, 1, ChatProtocol.EditMessageKind, command);
            var answer = await resender.ReceiveUntilAsync(frame => RawSocket.Is(frame, "ack", editId) || RawSocket.Is(frame, "reject", editId));

            ((string?)answer["type"]).Should().Be("ack");
            host.Room.Recent().Should().ContainSingle().Which.Should().Match<ChatMessage>(m => m.Text == "first" && m.Revision == 1);
            resender.Received.Should().NotContain(frame => RawSocket.Is(frame, "message", sent.Id.Value), "the resend did not run again");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task SendResent_AfterItsMessageWasEdited_IsAnsweredAckNotConflict()
    {
        var directory = Directory.CreateTempSubdirectory("chat-send-after-edit-");
        try
        {
            await using var host = await ChatHost.StartAsync(o => (o.Store.Kind, o.Store.Path) = (StoreKind.Sqlite, Path.Combine(directory.FullName, "chat.db")));
            await using var alice = await TestUser.LoginAsync(host, "alice");
            var socket = await alice.ConnectRawAsync();
            var id = Guid.NewGuid();
            await socket.SendEditAsync(id, 1, """{"text":"as sent"}""");
            await socket.ReceiveUntilAsync(frame => RawSocket.Is(frame, "ack", id));
            var editId = Guid.NewGuid();
            await socket.SendEditAsync(editId, 1, ChatProtocol.EditMessageKind, $$"""{"messageId":"{{id}}","text":"as edited","baseRevision":0}""");
            await socket.ReceiveUntilAsync(frame => RawSocket.Is(frame, "ack", editId));

            // A tab that never saw the send's ack resends it, after the message was edited elsewhere.
            await socket.SendEditAsync(id, 1, """{"text":"as sent"}""");
            var answer = await socket.ReceiveUntilAsync(frame => RawSocket.Is(frame, "ack", id) || RawSocket.Is(frame, "reject", id));

            ((string?)answer["type"]).Should().Be("ack");
            host.Room.Recent().Should().ContainSingle().Which.Text.Should().Be("as edited");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("", ChatProtocol.Empty)]
    [InlineData(null, ChatProtocol.TooLong)]
    public async Task Edit_WithATextASendCouldNotHave_IsRefusedLikeASend(string? text, string code)
    {
        await using var host = await ChatHost.StartAsync(o => o.MaxMessageLength = 10);
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var client = await alice.ConnectAsync();
        var sent = await client.SendAndSettleAsync("fine");
        var shown = await WaitForMessageAsync(client, sent.Id);

        var edit = await client.EditAndSettleAsync(shown, text ?? new string('x', 11));

        edit.Error.Should().BeOfType<RemoteEditRejectedException>().Which.Code.Should().Be(code);
        host.Room.Recent().Should().ContainSingle().Which.Text.Should().Be("fine");
    }

    [Fact]
    public async Task SameEditId_ReusedForAnotherCommand_IsRejectedAsConflicting()
    {
        var directory = Directory.CreateTempSubdirectory("chat-edit-conflict-");
        try
        {
            await using var host = await ChatHost.StartAsync(o => (o.Store.Kind, o.Store.Path) = (StoreKind.Sqlite, Path.Combine(directory.FullName, "chat.db")));
            await using var alice = await TestUser.LoginAsync(host, "alice");
            var socket = await alice.ConnectRawAsync();
            var id = Guid.NewGuid();
            await socket.SendEditAsync(id, 1, """{"text":"hello"}""");
            await socket.ReceiveUntilAsync(frame => RawSocket.Is(frame, "ack", id));

            // The id of the send, reused for a deletion of that same message.
            await socket.SendEditAsync(id, 1, ChatProtocol.DeleteMessageKind, $$"""{"messageId":"{{id}}"}""");
            var answer = await socket.ReceiveUntilAsync(frame => RawSocket.Is(frame, "reject", id));

            ((string?)answer["code"]).Should().Be(RemoteErrorCodes.ConflictingCommand);
            host.Room.Recent().Should().ContainSingle().Which.Text.Should().Be("hello");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<ChatMessage> WaitForMessageAsync(Shared.ChatClient client, EditId id)
    {
        using var view = new LiveCollection<ChatMessage, EditId>(client.Messages);
        await view.WaitUntilAsync(items => items.ContainsKey(id));
        return view.Items[id];
    }
}
