using System.Text.Json.Nodes;
using ChatServer.Client.Pages;
using ChatServer.Shared.Protocol;
using ChatServer.Tests.Support;
using Microsoft.Playwright;
using static ChatServer.Tests.Browser.BrowserChat;
using static Microsoft.Playwright.Assertions;

namespace ChatServer.Tests.Browser;

/// <summary>Editing and deleting one's own messages in the page: in place, with Undo, conflicts shown on the row, each
/// seen in another user's tab.</summary>
[Collection(BrowserCollection.Name)]
public sealed class MessageEditingTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    // The undo window, and a margin for the deletion's round trip on a busy machine.
    private static readonly float AfterUndoWindow = (float)(ChatPage.UndoWindow + TimeSpan.FromSeconds(20)).TotalMilliseconds;

    [SkippableFact]
    public async Task Edit_InPlace_EnterSaves_EscapeCancels_AndTheOtherUserSeesTheEditedText()
    {
        await using var host = await StartAsync(browser);
        var alice = await OpenAsync(browser, host, "alice");
        var bob = await OpenAsync(browser, host, "bob");
        await SendAsync(alice.GetByTestId("composer"), "helo wrold");
        var row = await RowByIdAsync(alice, "helo wrold");
        await Expect(Row(bob, "helo wrold")).ToHaveCountAsync(1);
        await Expect(Row(bob, "helo wrold").GetByTestId("edit")).ToHaveCountAsync(0, new() { Timeout = 1_000 });

        await row.GetByTestId("edit").ClickAsync();
        var input = row.GetByTestId("edit-input");
        await Expect(input).ToBeFocusedAsync();
        await Expect(input).ToHaveValueAsync("helo wrold");
        await input.FillAsync("something else");
        await input.PressAsync("Escape");
        await Expect(row.GetByTestId("message-text")).ToHaveTextAsync("helo wrold");
        await Expect(alice.GetByTestId("composer")).ToBeFocusedAsync();

        await row.GetByTestId("edit").ClickAsync();
        await input.FillAsync("hello world");
        await input.PressAsync("Enter");

        await Expect(row.GetByTestId("message-text")).ToHaveTextAsync("hello world");
        await Expect(row).ToHaveAttributeAsync("data-state", "Confirmed");
        await Expect(row.GetByTestId("message-edited")).ToHaveTextAsync("(edited)");
        await Expect(alice.GetByTestId("composer")).ToBeFocusedAsync();
        var seen = Row(bob, "hello world");
        await Expect(seen.GetByTestId("message-edited")).ToHaveTextAsync("(edited)");
        await Expect(Row(bob, "helo wrold")).ToHaveCountAsync(0);
        host.Room.Recent().Should().ContainSingle().Which.Should().Match<ChatMessage>(m => m.Text == "hello world" && m.Revision == 1);
    }

    [SkippableFact]
    public async Task Delete_IsHeldWithUndoThenSent_AndLeavesTheOtherUsersTab()
    {
        await using var host = await StartAsync(browser);
        var alice = await OpenAsync(browser, host, "alice");
        var bob = await OpenAsync(browser, host, "bob");
        await SendAsync(alice.GetByTestId("composer"), "oops");
        var row = await RowByIdAsync(alice, "oops");
        await Expect(Row(bob, "oops")).ToHaveCountAsync(1);

        await row.GetByTestId("delete").ClickAsync();

        await Expect(row.GetByTestId("message-deleted")).ToBeVisibleAsync();
        await Expect(row.GetByTestId("undo-delete")).ToBeFocusedAsync();
        await Expect(alice.GetByTestId("announcer")).ToContainTextAsync("Message deleted. Undo is available");
        await Expect(row).ToHaveCountAsync(0, new() { Timeout = AfterUndoWindow });
        await Expect(Row(bob, "oops")).ToHaveCountAsync(0);
        host.Room.Recent().Should().BeEmpty();
        (await alice.EvaluateAsync<string>("() => document.activeElement.tagName")).Should().NotBe("BODY");
    }

    [SkippableFact]
    public async Task Undo_WithinTheWindow_KeepsTheMessageForEveryone()
    {
        await using var host = await StartAsync(browser);
        var alice = await OpenAsync(browser, host, "alice");
        var bob = await OpenAsync(browser, host, "bob");
        await SendAsync(alice.GetByTestId("composer"), "keep me");
        var row = await RowByIdAsync(alice, "keep me");

        await row.GetByTestId("delete").ClickAsync();
        await row.GetByTestId("undo-delete").PressAsync("Enter");

        await Expect(row.GetByTestId("message-text")).ToHaveTextAsync("keep me");
        await Expect(alice.GetByTestId("composer")).ToBeFocusedAsync();
        // Past the window in which the deletion would have been sent: nothing was.
        await alice.WaitForTimeoutAsync((float)(ChatPage.UndoWindow + TimeSpan.FromSeconds(1)).TotalMilliseconds);
        await SendAsync(alice.GetByTestId("composer"), "after the window");
        await Expect(Row(bob, "after the window")).ToHaveCountAsync(1);
        await Expect(Row(bob, "keep me")).ToHaveCountAsync(1);
        await Expect(Row(alice, "keep me")).ToHaveCountAsync(1);
        host.Room.Recent().Select(m => m.Text).Should().Equal("keep me", "after the window");
    }

    [SkippableFact]
    public async Task EditSaved_WhileAnotherTabDeletesTheMessage_IsRejectedOnTheRowWithDiscardOnly()
    {
        await using var host = await StartAsync(browser, static o => o.Demo.Latency = TimeSpan.FromSeconds(2));
        var firstTab = await OpenAsync(browser, host, "alice");
        var secondTab = await OpenAsync(browser, host, "alice");
        var bob = await OpenAsync(browser, host, "bob");
        await SendAsync(firstTab.GetByTestId("composer"), "short-lived");
        var editing = await RowByIdAsync(firstTab, "short-lived");
        var deleting = await RowByIdAsync(secondTab, "short-lived");
        await Expect(deleting).ToHaveAttributeAsync("data-state", "Confirmed");
        await editing.GetByTestId("edit").ClickAsync();
        await editing.GetByTestId("edit-input").FillAsync("too late");

        // The deletion is sent when its undo window ends (its row leaves that tab: the prediction) and applies after the
        // latency; the edit, saved meanwhile, applies after it.
        await deleting.GetByTestId("delete").ClickAsync();
        await Expect(deleting).ToHaveCountAsync(0, new() { Timeout = AfterUndoWindow });
        await editing.GetByTestId("edit-input").PressAsync("Enter");

        await Expect(editing).ToHaveAttributeAsync("data-state", "Failed", new() { Timeout = 20_000 });
        await Expect(editing.GetByTestId("message-error")).ToContainTextAsync("was deleted");
        await Expect(editing.GetByTestId("message-text")).ToHaveTextAsync("too late");
        await Expect(editing.GetByTestId("retry")).ToHaveCountAsync(0);
        await Expect(Row(bob, "short-lived")).ToHaveCountAsync(0);
        await Expect(Row(bob, "too late")).ToHaveCountAsync(0);
        await editing.GetByTestId("discard").ClickAsync();
        await Expect(editing).ToHaveCountAsync(0);
        await Expect(firstTab.GetByTestId("composer")).ToBeFocusedAsync();
    }

    [SkippableFact]
    public async Task EditsInTwoTabs_TheFirstToArriveWins_TheOtherRowShowsTheServersTextWithANotice()
    {
        await using var host = await StartAsync(browser, static o => o.Demo.Latency = TimeSpan.FromSeconds(2));
        var firstTab = await OpenAsync(browser, host, "alice");
        var secondTab = await OpenAsync(browser, host, "alice");
        var bob = await OpenAsync(browser, host, "bob");
        await SendAsync(firstTab.GetByTestId("composer"), "draft");
        var first = await RowByIdAsync(firstTab, "draft");
        var second = await RowByIdAsync(secondTab, "draft");
        await Expect(second).ToHaveAttributeAsync("data-state", "Confirmed");
        await first.GetByTestId("edit").ClickAsync();
        await first.GetByTestId("edit-input").FillAsync("first tab's text");
        await second.GetByTestId("edit").ClickAsync();
        await second.GetByTestId("edit-input").FillAsync("second tab's text");

        await first.GetByTestId("edit-input").PressAsync("Enter");
        await Expect(first.GetByTestId("message-status")).ToHaveTextAsync("saving…");
        await second.GetByTestId("edit-input").PressAsync("Enter");

        await Expect(second.GetByTestId("message-notice")).ToContainTextAsync("Another tab edited this message first", new() { Timeout = 20_000 });
        await Expect(second.GetByTestId("message-text")).ToHaveTextAsync("first tab's text");
        await Expect(second).ToHaveAttributeAsync("data-state", "Confirmed");
        await Expect(first.GetByTestId("message-text")).ToHaveTextAsync("first tab's text");
        await Expect(Row(bob, "first tab's text")).ToHaveCountAsync(1);
        await Expect(secondTab.GetByTestId("announcer")).ToContainTextAsync("was not saved: another tab edited the message first");

        // Nothing typed is lost: Edit again opens the editor with the losing text.
        await second.GetByTestId("edit-again").ClickAsync();
        await Expect(second.GetByTestId("edit-input")).ToHaveValueAsync("second tab's text");
        await Expect(second.GetByTestId("edit-input")).ToBeFocusedAsync();
    }

    [SkippableFact]
    public async Task PendingEdit_SurvivesAReload_AndIsAppliedOnce()
    {
        await using var host = await StartAsync(browser);
        var alice = await OpenAsync(browser, host, "alice");
        var bob = await OpenAsync(browser, host, "bob");
        await SendAsync(alice.GetByTestId("composer"), "before the reload");
        var row = await RowByIdAsync(alice, "before the reload");
        // Each edit now takes long enough for the page to reload while this one is pending.
        SetDemo(host, TimeSpan.FromSeconds(3));
        await row.GetByTestId("edit").ClickAsync();
        await row.GetByTestId("edit-input").FillAsync("after the reload");
        await row.GetByTestId("edit-input").PressAsync("Enter");
        await Expect(row.GetByTestId("message-status")).ToHaveTextAsync("saving…");

        await alice.ReloadAsync();

        await Expect(alice.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "Connected", new() { Timeout = 60_000 });
        await Expect(row.GetByTestId("message-text")).ToHaveTextAsync("after the reload");
        await Expect(row).ToHaveAttributeAsync("data-state", "Confirmed", new() { Timeout = 30_000 });
        await Expect(Row(bob, "after the reload")).ToHaveCountAsync(1);
        host.Room.Recent().Should().ContainSingle().Which.Should().Match<ChatMessage>(m => m.Text == "after the reload" && m.Revision == 1 && m.EditIds!.Count == 1);
        (await alice.EvaluateAsync<string?>("() => localStorage.getItem('chat.unsent')")).Should().BeNull("nothing is unsent any more");
    }

    [SkippableFact]
    public async Task ForgedEdit_OfSomeoneElsesMessage_IsRejected_AndNoTabChanges()
    {
        await using var host = await StartAsync(browser);
        var alice = await OpenAsync(browser, host, "alice");
        var bob = await OpenAsync(browser, host, "bob");
        await SendAsync(alice.GetByTestId("composer"), "alice's words");
        var id = Guid.Parse((await (await RowByIdAsync(alice, "alice's words")).GetAttributeAsync("data-id"))!);
        await using var mallory = await TestUser.LoginAsync(host, "mallory");
        var forger = await mallory.ConnectRawAsync();
        var editId = Guid.NewGuid();

        await forger.SendEditAsync(editId, 1, ChatProtocol.EditMessageKind, $$"""{"messageId":"{{id}}","text":"mallory was here","baseRevision":0}""");
        var answer = await forger.ReceiveUntilAsync(frame => RawSocket.Is(frame, "reject", editId) || RawSocket.Is(frame, "ack", editId));

        ((string?)answer["code"]).Should().Be(ChatProtocol.NotAuthor);
        await SendAsync(alice.GetByTestId("composer"), "still mine");
        await Expect(Row(bob, "still mine")).ToHaveCountAsync(1);
        await Expect(Row(bob, "alice's words")).ToHaveCountAsync(1);
        await Expect(Row(bob, "alice's words").GetByTestId("message-edited")).ToHaveCountAsync(0);
        await Expect(Row(alice, "mallory was here")).ToHaveCountAsync(0);
    }

    [SkippableFact]
    public async Task Edit_WhoseAckIsLostWithTheConnection_IsResentAfterTheReconnectAndAppliedOnce()
    {
        await using var host = await StartAsync(browser);
        var bob = await OpenAsync(browser, host, "bob");
        // Alice's sockets go through a relay that, once armed, drops the next ack and ends the connection with it.
        var armed = 0;
        var lostAcks = 0;
        var context = await browser.Browser!.NewContextAsync(new() { BaseURL = host.Address.ToString() });
        await context.RouteWebSocketAsync("**/chat/ws", page =>
        {
            var server = page.ConnectToServer();
            server.OnMessage(frame =>
            {
                if (frame.Text is { } text && JsonNode.Parse(text) is JsonObject json && (string?)json["type"] == "ack"
                    && Interlocked.CompareExchange(ref armed, 0, 1) == 1)
                {
                    Interlocked.Increment(ref lostAcks);
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
        await LoginAsync(alice, "alice");
        await SendAsync(alice.GetByTestId("composer"), "version 1");
        var row = await RowByIdAsync(alice, "version 1");

        Volatile.Write(ref armed, 1);
        await row.GetByTestId("edit").ClickAsync();
        await row.GetByTestId("edit-input").FillAsync("version 2");
        await row.GetByTestId("edit-input").PressAsync("Enter");

        await Expect(row.GetByTestId("message-text")).ToHaveTextAsync("version 2");
        await Expect(row).ToHaveAttributeAsync("data-state", "Confirmed", new() { Timeout = 30_000 });
        await Expect(Row(bob, "version 2")).ToHaveCountAsync(1);
        Volatile.Read(ref lostAcks).Should().Be(1, "the edit's first ack was lost with its connection");
        host.Room.Recent().Should().ContainSingle().Which.Should().Match<ChatMessage>(m => m.Text == "version 2" && m.Revision == 1 && m.EditIds!.Count == 1);
        await context.CloseAsync();
    }
}
