using ChatServer.Chat;
using ChatServer.Shared.Protocol;
using ChatServer.Storage;
using Microsoft.Extensions.Options;
using Reactive.Edits;
using Reactive.Edits.Remote;

namespace ChatServer.Tests.Storage;

public sealed class SqliteEditLedgerTests : IDisposable
{
    private static readonly SendMessage Hello = new("hello");
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("chat-ledger-");
    private readonly List<SqliteChatDatabase> _opened = [];

    [Fact]
    public async Task Accepted_AfterReopen_ResendGetsTheAckWithoutRunning()
    {
        var id = EditId.New();
        var (store, ledger) = Open();
        (await ledger.ClaimAsync(id, 1, Hello, default)).IsOwner.Should().BeTrue();
        store.Append([new NewMessage(id.Value, "ada", Hello.Text)]);
        await ledger.CompleteAsync(id, 1, EditOutcome.Accepted, default);

        var (reopenedStore, reopened) = Open();
        var claim = await reopened.ClaimAsync(id, 1, Hello, default);

        claim.IsOwner.Should().BeFalse();
        (await claim.Outcome).Should().Be(EditOutcome.Accepted);
        reopenedStore.Recent().Should().ContainSingle(m => m.Id == id.Value && m.Text == "hello" && m.Sequence == 1);
    }

    [Fact]
    public async Task ClaimAndComplete_WhileAWriteHoldsTheDatabase_DoNotWaitForIt()
    {
        var (_, ledger) = Open();
        var database = _opened[^1];
        var running = EditId.New();
        (await ledger.ClaimAsync(running, 1, Hello, default)).IsOwner.Should().BeTrue();
        using var holding = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        // Another write holds the database, as a message's commit does during its fsync.
        var write = Task.Run(() => database.Write(_ =>
        {
            holding.Set();
            return release.Wait(Guard);
        }));
        try
        {
            holding.Wait(Guard).Should().BeTrue();

            // A new edit's claim only reads; the accepted run's outcome needs nothing from the database.
            var claim = Task.Run(async () => await ledger.ClaimAsync(EditId.New(), 1, Hello, default));
            var complete = Task.Run(async () => await ledger.CompleteAsync(running, 1, EditOutcome.Accepted, default));
            await Task.WhenAll(claim, complete).WaitAsync(Guard);

            write.IsCompleted.Should().BeFalse("the write still holds the database");
            (await claim).IsOwner.Should().BeTrue();
        }
        finally
        {
            release.Set();
            await write.WaitAsync(Guard);
        }
    }

    [Fact]
    public async Task Claim_OfAnIdWhoseClaimIsReadingTheDatabase_WaitsAndThenJoinsItsRun()
    {
        var (_, ledger) = Open();
        var database = _opened[^1];
        var id = EditId.New();
        using var holding = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        // A read in progress holds the read connection: the first claim waits for it, with the id reserved.
        var read = Task.Run(() => database.Read(_ =>
        {
            holding.Set();
            return release.Wait(Guard);
        }));
        holding.Wait(Guard).Should().BeTrue();
        // The first claim on a thread of its own, so that the test sees it blocked in the read (with the id reserved):
        // a count of lock contentions alone could come from any other test running meanwhile.
        var first = new TaskCompletionSource<EditClaim>(TaskCreationOptions.RunContinuationsAsynchronously);
        var claiming = new Thread(() => first.SetResult(ledger.ClaimAsync(id, 1, Hello, default).AsTask().GetAwaiter().GetResult()));
        claiming.Start();
        SpinWait.SpinUntil(() => (claiming.ThreadState & ThreadState.WaitSleepJoin) != 0 || first.Task.IsCompleted, Guard);
        // The resend comes while the first claim reads the database: it must not run the edit a second time.
        var resend = ledger.ClaimAsync(id, 1, Hello, default).AsTask();
        release.Set();
        await read.WaitAsync(Guard);

        var owner = await first.Task.WaitAsync(Guard);
        var joined = await resend.WaitAsync(Guard);
        owner.IsOwner.Should().BeTrue();
        joined.IsOwner.Should().BeFalse("the resend joins the run in progress");
        await ledger.CompleteAsync(id, 1, EditOutcome.Accepted, default);
        (await joined.Outcome.WaitAsync(Guard)).Should().Be(EditOutcome.Accepted);
    }

    [Fact]
    public void Append_AGroup_IsStoredInOneTransaction_AllOrNone()
    {
        var (store, _) = Open();
        var first = new NewMessage(Guid.NewGuid(), "ada", "one");
        store.Append([first]);
        var fresh = new NewMessage(Guid.NewGuid(), "ada", "two");

        // The second message repeats an id that is stored already: its insert fails, and so does the whole group.
        store.Invoking(s => s.Append([fresh, first with { Text = "again" }])).Should().Throw<Microsoft.Data.Sqlite.SqliteException>();
        var stored = store.Append([fresh, new NewMessage(Guid.NewGuid(), "bob", "three")]);

        stored.Select(static m => (m.Text, m.Sequence)).Should().Equal(("two", 2L), ("three", 3L));
        var (reopened, _) = Open();
        reopened.Recent().Select(static m => (m.Text, m.Sequence)).Should().Equal(("one", 1L), ("two", 2L), ("three", 3L));
    }

    [Fact]
    public async Task Rejected_AfterReopen_SameAttemptGetsTheRejectAndALaterAttemptRuns()
    {
        var id = EditId.New();
        var error = new RemoteError(ChatProtocol.RateLimited, "Too many messages.");
        var (_, ledger) = Open();
        (await ledger.ClaimAsync(id, 1, Hello, default)).IsOwner.Should().BeTrue();
        await ledger.CompleteAsync(id, 1, EditOutcome.Rejected(error), default);

        var (_, reopened) = Open();
        var resend = await reopened.ClaimAsync(id, 1, Hello, default);
        var retry = await reopened.ClaimAsync(id, 2, new SendMessage("hello, corrected"), default);

        resend.IsOwner.Should().BeFalse();
        (await resend.Outcome).Should().Be(EditOutcome.Rejected(error));
        retry.IsOwner.Should().BeTrue("a user's retry of a rejected attempt runs again");
    }

    [Fact]
    public async Task SameIdDifferentText_IsRejectedAsConflicting()
    {
        var id = EditId.New();
        var (store, ledger) = Open();
        await ledger.ClaimAsync(id, 1, Hello, default);
        store.Append([new NewMessage(id.Value, "ada", Hello.Text)]);
        await ledger.CompleteAsync(id, 1, EditOutcome.Accepted, default);

        var claim = await ledger.ClaimAsync(id, 1, new SendMessage("other"), default);

        claim.IsOwner.Should().BeFalse();
        (await claim.Outcome).Error!.Code.Should().Be(RemoteErrorCodes.ConflictingCommand);
    }

    [Fact]
    public async Task InProgress_ResendJoinsTheRun_AndAbandonLetsItRunAgain()
    {
        var id = EditId.New();
        var (_, ledger) = Open();
        var owner = await ledger.ClaimAsync(id, 1, Hello, default);
        var joined = await ledger.ClaimAsync(id, 1, Hello, default);

        joined.IsOwner.Should().BeFalse();
        joined.Outcome.Should().BeSameAs(owner.Outcome);
        await ledger.AbandonAsync(id, 1, default);
        joined.Outcome.IsCanceled.Should().BeTrue();
        (await ledger.ClaimAsync(id, 1, Hello, default)).IsOwner.Should().BeTrue();
    }

    [Fact]
    public async Task Complete_WithoutAClaim_Throws()
    {
        var (_, ledger) = Open();

        var complete = async () => await ledger.CompleteAsync(EditId.New(), 1, EditOutcome.Accepted, default);

        await complete.Should().ThrowAsync<InvalidOperationException>();
    }

    public void Dispose()
    {
        foreach (var database in _opened)
        {
            database.Dispose();
        }
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task DatabaseOfTheFirstSchema_IsUpgradedAtOpen_AndItsMessagesCanBeEditedAndResent()
    {
        // A database as the first version of the chat wrote it: messages without revisions, no table of edits.
        var path = Path.Combine(_directory.FullName, "chat.db");
        var id = Guid.NewGuid();
        using (var old = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            old.Open();
            using var create = old.CreateCommand();
            create.CommandText = $"""
                CREATE TABLE messages (sequence INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, user TEXT NOT NULL, text TEXT NOT NULL, sent_at_ticks INTEGER NOT NULL);
                CREATE TABLE edit_rejections (id TEXT PRIMARY KEY, attempt INTEGER NOT NULL, text TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL);
                INSERT INTO messages VALUES (1, '{id:D}', 'ada', 'hello', 0);
                PRAGMA user_version=1;
                """;
            create.ExecuteNonQuery();
        }

        var (store, ledger) = Open();
        var message = store.Recent().Should().ContainSingle().Subject;
        var editId = Guid.NewGuid();
        var edited = store.Edit(editId, new EditMessage(id, "hello, world", 0), message, apply: true);
        var resend = await ledger.ClaimAsync(new EditId(id), 1, Hello, default);

        edited.Should().Match<ChatMessage>(m => m.Revision == 1 && m.Text == "hello, world" && m.Sequence == 1);
        Open().Store.Find(id).Should().Be(new StoredMessage(edited, IsDeleted: false));
        resend.IsOwner.Should().BeFalse("the send is recorded by its message, whose text has changed since");
        (await resend.Outcome).Should().Be(EditOutcome.Accepted);
    }

    // Opens the database as a server starting on it would; one opened before is closed first, as when a server restarts
    // (while it is open, its lock refuses a second open of the file).
    private (SqliteMessageStore Store, SqliteEditLedger<SendMessage> Ledger) Open()
    {
        foreach (var opened in _opened)
        {
            opened.Dispose();
        }
        var database = new SqliteChatDatabase(Path.Combine(_directory.FullName, "chat.db"));
        _opened.Add(database);
        return (new SqliteMessageStore(database, TimeProvider.System, Options.Create(new ChatOptions())), new SqliteEditLedger<SendMessage>(database));
    }
}
