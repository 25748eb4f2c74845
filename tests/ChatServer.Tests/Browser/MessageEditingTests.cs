using ChatServer.Client.Pages;
using ChatServer.Shared.Protocol;
using ChatServer.Tests.Support;
using Microsoft.Playwright;
using static ChatServer.Tests.Browser.BrowserChat;
using static Microsoft.Playwright.Assertions;

namespace ChatServer.Tests.Browser;

/// <summary>Editing and deleting one's own messages in the page: in place, with Undo, conflicts shown on the row, each
/// seen in another user's tab. The tests share one server and its pages (<see cref="EditingChatFixture"/>), each with
/// messages of its own.</summary>
[Collection(BrowserCollection.Name)]
public sealed class MessageEditingTests(EditingChatFixture chat) : IClassFixture<EditingChatFixture>, IAsyncLifetime
{
    // The undo window, and a margin for the deletion's round trip on a busy machine.
    private static readonly float AfterUndoWindow = (float)(ChatPage.UndoWindow + TimeSpan.FromSeconds(20)).TotalMilliseconds;

    private IPage Alice => chat.Alice;

    private IPage AliceSecondTab => chat.AliceSecondTab;

    private IPage Bob => chat.Bob;

    public Task InitializeAsync() => chat.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [SkippableFact]
    public async Task Edit_InPlace_EnterSaves_EscapeCancels_AndTheOtherUserSeesTheEditedText()
    {
        await SendAsync(Alice.GetByTestId("composer"), "helo wrold");
        var row = await RowByIdAsync(Alice, "helo wrold");
        await Expect(Row(Bob, "helo wrold")).ToHaveCountAsync(1);
        await Expect(Row(Bob, "helo wrold").GetByTestId("edit")).ToHaveCountAsync(0);

        await row.GetByTestId("edit").ClickAsync();
        var input = row.GetByTestId("edit-input");
        await Expect(input).ToBeFocusedAsync();
        await Expect(input).ToHaveValueAsync("helo wrold");
        await input.FillAsync("something else");
        await input.PressAsync("Escape");
        await Expect(row.GetByTestId("message-text")).ToHaveTextAsync("helo wrold");
        await Expect(Alice.GetByTestId("composer")).ToBeFocusedAsync();

        await row.GetByTestId("edit").ClickAsync();
        await input.FillAsync("hello world");
        await input.PressAsync("Enter");

        await Expect(row.GetByTestId("message-text")).ToHaveTextAsync("hello world");
        await Expect(row).ToHaveAttributeAsync("data-state", "Confirmed");
        await Expect(row.GetByTestId("message-edited")).ToHaveTextAsync("(edited)");
        await Expect(Alice.GetByTestId("composer")).ToBeFocusedAsync();
        var seen = Row(Bob, "hello world");
        await Expect(seen.GetByTestId("message-edited")).ToHaveTextAsync("(edited)");
        await Expect(Row(Bob, "helo wrold")).ToHaveCountAsync(0);
        (await StoredAsync(row)).Should().Match<ChatMessage>(m => m.Text == "hello world" && m.Revision == 1);
    }

    [SkippableFact]
    public async Task Delete_IsHeldWithUndoThenSent_AndLeavesTheOtherUsersTab()
    {
        await SendAsync(Alice.GetByTestId("composer"), "oops");
        var row = await RowByIdAsync(Alice, "oops");
        var id = await IdAsync(row);
        await Expect(Row(Bob, "oops")).ToHaveCountAsync(1);

        await row.GetByTestId("delete").ClickAsync();

        await Expect(row.GetByTestId("message-deleted")).ToBeVisibleAsync();
        await Expect(row.GetByTestId("undo-delete")).ToBeFocusedAsync();
        await Expect(Alice.GetByTestId("announcer")).ToContainTextAsync("Message deleted. Undo is available");
        await Expect(row).ToHaveCountAsync(0, new() { Timeout = AfterUndoWindow });
        await Expect(Row(Bob, "oops")).ToHaveCountAsync(0);
        chat.Host.Room.Recent().Should().NotContain(m => m.Id == id);
        (await Alice.EvaluateAsync<string>("() => document.activeElement.tagName")).Should().NotBe("BODY");
    }

    [SkippableFact]
    public async Task Undo_WithinTheWindow_KeepsTheMessageForEveryone()
    {
        await SendAsync(Alice.GetByTestId("composer"), "keep me");
        var row = await RowByIdAsync(Alice, "keep me");

        await row.GetByTestId("delete").ClickAsync();
        await row.GetByTestId("undo-delete").PressAsync("Enter");

        await Expect(row.GetByTestId("message-text")).ToHaveTextAsync("keep me");
        await Expect(Alice.GetByTestId("composer")).ToBeFocusedAsync();
        // Past the window in which the deletion would have been sent: nothing was.
        await Alice.WaitForTimeoutAsync((float)(ChatPage.UndoWindow + TimeSpan.FromSeconds(1)).TotalMilliseconds);
        await SendAsync(Alice.GetByTestId("composer"), "after the window");
        await Expect(Row(Bob, "after the window")).ToHaveCountAsync(1);
        await Expect(Row(Bob, "keep me")).ToHaveCountAsync(1);
        await Expect(Row(Alice, "keep me")).ToHaveCountAsync(1);
        chat.Host.Room.Recent().Select(m => m.Text).Should().Contain(["keep me", "after the window"]);
    }

    [SkippableFact]
    public async Task EditSaved_WhileAnotherTabDeletesTheMessage_IsRejectedOnTheRowWithDiscardOnly()
    {
        await SendAsync(Alice.GetByTestId("composer"), "short-lived");
        var editing = await RowByIdAsync(Alice, "short-lived");
        var deleting = await RowByIdAsync(AliceSecondTab, "short-lived");
        SetDemo(chat.Host, TimeSpan.FromSeconds(2));
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
        await Expect(Row(Bob, "short-lived")).ToHaveCountAsync(0);
        await Expect(Row(Bob, "too late")).ToHaveCountAsync(0);
        await editing.GetByTestId("discard").ClickAsync();
        await Expect(editing).ToHaveCountAsync(0);
        await Expect(Alice.GetByTestId("composer")).ToBeFocusedAsync();
    }

    [SkippableFact]
    public async Task EditBoxOpen_WhenAnotherTabDeletesTheMessage_KeepsTheTextTypedAndPutsItInTheInputOnRequest()
    {
        await SendAsync(Alice.GetByTestId("composer"), "about to go");
        var editing = await RowByIdAsync(Alice, "about to go");
        var deleting = await RowByIdAsync(AliceSecondTab, "about to go");
        await editing.GetByTestId("edit").ClickAsync();
        await editing.GetByTestId("edit-input").FillAsync("words worth keeping");

        await deleting.GetByTestId("delete").ClickAsync();

        await Expect(editing).ToHaveCountAsync(0, new() { Timeout = AfterUndoWindow });
        var lost = Alice.GetByTestId("lost-edit");
        await Expect(lost).ToContainTextAsync("“words worth keeping”");
        await Expect(Alice.GetByTestId("announcer")).ToContainTextAsync("was deleted in another tab");
        (await Alice.EvaluateAsync<string>("() => document.activeElement.tagName")).Should().NotBe("BODY");
        await lost.GetByTestId("lost-edit-use").ClickAsync();
        await Expect(Alice.GetByTestId("composer")).ToHaveValueAsync("words worth keeping");
        await Expect(Alice.GetByTestId("composer")).ToBeFocusedAsync();
        await Expect(lost).ToHaveCountAsync(0);
        await Alice.GetByTestId("composer").PressAsync("Escape");
    }

    [SkippableFact]
    public async Task EditsInTwoTabs_TheFirstToArriveWins_TheOtherRowShowsTheServersTextWithANotice()
    {
        await SendAsync(Alice.GetByTestId("composer"), "draft");
        var first = await RowByIdAsync(AliceSecondTab, "draft");
        var second = await RowByIdAsync(Alice, "draft");
        SetDemo(chat.Host, TimeSpan.FromSeconds(2));
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
        await Expect(Row(Bob, "first tab's text")).ToHaveCountAsync(1);
        await Expect(Alice.GetByTestId("announcer")).ToContainTextAsync("was not saved: another tab edited the message first");

        // Nothing typed is lost: Edit again opens the editor with the losing text.
        await second.GetByTestId("edit-again").ClickAsync();
        await Expect(second.GetByTestId("edit-input")).ToHaveValueAsync("second tab's text");
        await Expect(second.GetByTestId("edit-input")).ToBeFocusedAsync();
        await second.GetByTestId("edit-input").PressAsync("Escape");
    }

    [SkippableFact]
    public async Task PendingEdit_SurvivesAReload_AndIsAppliedOnce()
    {
        await SendAsync(Alice.GetByTestId("composer"), "before the reload");
        var row = await RowByIdAsync(Alice, "before the reload");
        // Each edit now takes long enough for the page to reload while this one is pending.
        SetDemo(chat.Host, TimeSpan.FromSeconds(3));
        await row.GetByTestId("edit").ClickAsync();
        await row.GetByTestId("edit-input").FillAsync("after the reload");
        await row.GetByTestId("edit-input").PressAsync("Enter");
        await Expect(row.GetByTestId("message-status")).ToHaveTextAsync("saving…");

        await Alice.ReloadAsync();

        await Expect(Alice.GetByTestId("connection")).ToHaveAttributeAsync("data-state", "Connected", new() { Timeout = 60_000 });
        await Expect(row.GetByTestId("message-text")).ToHaveTextAsync("after the reload");
        await Expect(row).ToHaveAttributeAsync("data-state", "Confirmed", new() { Timeout = 30_000 });
        await Expect(Row(Bob, "after the reload")).ToHaveCountAsync(1);
        (await StoredAsync(row)).Should().Match<ChatMessage>(m => m.Text == "after the reload" && m.Revision == 1 && m.EditIds!.Count == 1);
        await Expect(Alice.GetByTestId("composer")).ToBeEnabledAsync();
        (await Alice.EvaluateAsync<string?>("() => localStorage.getItem('chat.unsent')")).Should().BeNull("nothing is unsent any more");
    }

    [SkippableFact]
    public async Task ForgedEdit_OfSomeoneElsesMessage_IsRejected_AndNoTabChanges()
    {
        await SendAsync(Alice.GetByTestId("composer"), "alice's words");
        var id = await IdAsync(await RowByIdAsync(Alice, "alice's words"));
        await using var mallory = await TestUser.LoginAsync(chat.Host, "mallory");
        var forger = await mallory.ConnectRawAsync();
        var editId = Guid.NewGuid();

        await forger.SendEditAsync(editId, 1, ChatProtocol.EditMessageKind, $$"""{"messageId":"{{id}}","text":"mallory was here","baseRevision":0}""");
        var answer = await forger.ReceiveUntilAsync(frame => RawSocket.Is(frame, "reject", editId) || RawSocket.Is(frame, "ack", editId));

        ((string?)answer["code"]).Should().Be(ChatProtocol.NotAuthor);
        await SendAsync(Alice.GetByTestId("composer"), "still mine");
        await Expect(Row(Bob, "still mine")).ToHaveCountAsync(1);
        await Expect(Row(Bob, "alice's words")).ToHaveCountAsync(1);
        await Expect(Row(Bob, "alice's words").GetByTestId("message-edited")).ToHaveCountAsync(0);
        await Expect(Row(Alice, "mallory was here")).ToHaveCountAsync(0);
    }

    [SkippableFact]
    public async Task Edit_WhoseAckIsLostWithTheConnection_IsResentAfterTheReconnectAndAppliedOnce()
    {
        await SendAsync(Alice.GetByTestId("composer"), "version 1");
        var row = await RowByIdAsync(Alice, "version 1");
        var lostBefore = chat.LostAcks;

        chat.LoseNextAck();
        await row.GetByTestId("edit").ClickAsync();
        await row.GetByTestId("edit-input").FillAsync("version 2");
        await row.GetByTestId("edit-input").PressAsync("Enter");

        await Expect(row.GetByTestId("message-text")).ToHaveTextAsync("version 2");
        await Expect(row).ToHaveAttributeAsync("data-state", "Confirmed", new() { Timeout = 30_000 });
        await Expect(Row(Bob, "version 2")).ToHaveCountAsync(1);
        (chat.LostAcks - lostBefore).Should().Be(1, "the edit's first ack was lost with its connection");
        (await StoredAsync(row)).Should().Match<ChatMessage>(m => m.Text == "version 2" && m.Revision == 1 && m.EditIds!.Count == 1);
    }

    private static async Task<Guid> IdAsync(ILocator row) => Guid.Parse((await row.GetAttributeAsync("data-id"))!);

    // The message of a row as the server stores it.
    private async Task<ChatMessage> StoredAsync(ILocator row)
    {
        var id = await IdAsync(row);
        return chat.Host.Room.Recent().Single(m => m.Id == id);
    }
}
