using System.Text.Json;
using Reactive.Edits.Remote.Tests.Support;
using Reactive.Edits.Testing;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Remote.Tests;

/// <summary>Unsettled edits are kept in a store while they live and come back after a restart: pending ones resent with their id and attempt, failed ones failed.</summary>
public sealed class UnsettledEditJournalTests
{
    private static readonly RemoteError TooLong = new("chat.too-long", "The message is too long.");

    private readonly TestClock _clock = new();
    private readonly InMemoryUnsettledEditStore _store = new();
    private readonly LedgerServer _server = new();

    [Fact]
    public void Request_SavesAPendingEntryWithIdKindAttemptRequestTimeAndCommand()
    {
        using var run = new JournaledClient(_store, _clock);
        _clock.AdvanceBy(TimeSpan.FromSeconds(5));

        var edit = run.Edits.Request("hello");

        _store.TryGetEntry(edit.Id, out var entry).Should().BeTrue();
        using var json = JsonDocument.Parse(entry!);
        json.RootElement.GetProperty("id").GetGuid().Should().Be(edit.Id.Value);
        json.RootElement.GetProperty("kind").GetString().Should().Be("text");
        json.RootElement.GetProperty("attempt").GetInt32().Should().Be(1);
        json.RootElement.GetProperty("requestedAt").GetDateTimeOffset().Should().Be(TestClock.Epoch.AddSeconds(5));
        json.RootElement.GetProperty("command").GetString().Should().Be("hello");
        json.RootElement.TryGetProperty("error", out _).Should().BeFalse();
    }

    [Fact]
    public void Reject_SavesTheErrorCodeAndMessage()
    {
        using var run = new JournaledClient(_store, _clock);
        run.Client.OnConnected();
        var edit = run.Edits.Request("hello");

        run.Client.OnRejected(edit.Id, 1, TooLong);

        _store.TryGetEntry(edit.Id, out var entry).Should().BeTrue();
        using var json = JsonDocument.Parse(entry!);
        json.RootElement.GetProperty("error").GetProperty("code").GetString().Should().Be("chat.too-long");
        json.RootElement.GetProperty("error").GetProperty("message").GetString().Should().Be("The message is too long.");
    }

    [Fact]
    public void AcceptDiscardAndCancel_RemoveTheEntry()
    {
        using var run = new JournaledClient(_store, _clock);
        run.Client.OnConnected();
        var accepted = run.Edits.Request("accepted");
        var discarded = run.Edits.Request("discarded");
        var cancelled = run.Edits.Request("cancelled");
        _store.Count.Should().Be(3);

        run.Client.OnAcknowledged(accepted.Id, 1);
        run.Client.OnRejected(discarded.Id, 1, TooLong);
        run.Edits.Discard(discarded.Id);
        run.Client.Cancel(cancelled.Id);

        _store.Count.Should().Be(0);
    }

    [Fact]
    public void Restore_PendingEdit_IsResentWithTheSameIdAttemptAndCommand()
    {
        EditId id;
        using (var first = new JournaledClient(_store, _clock))
        {
            first.Client.OnConnected();
            id = first.Edits.Request("hello").Id;
        }

        using var second = new JournaledClient(_store, _clock);
        second.Restored.Should().ContainSingle().Which.Id.Should().Be(id);
        second.Client.OnConnected();

        second.Sent.Values.Should().Equal(new EditRequest<string>(id, 1, "hello"));
        second.Client.OnAcknowledged(id, 1).Should().BeTrue();
        second.Edits.Items.Should().BeEmpty();
        _store.Count.Should().Be(0);
    }

    [Fact]
    public void Restore_AfterTheServerAppliedButTheAckWasLost_SettlesOnceWithoutApplyingAgain()
    {
        var first = new JournaledClient(_store, _clock);
        first.Client.OnConnected();
        var id = first.Edits.Request("hello").Id;
        first.Exchange(_server, loseReply: static _ => true);
        _server.Applied.Should().Equal(id);

        // The crash: nothing of the first run is disposed, its ack never arrives.
        using var second = new JournaledClient(_store, _clock);
        second.Client.OnConnected();
        second.Exchange(_server);

        second.Events.KindsOf(id).Should().Equal(EditEventKind.Restored, EditEventKind.Started, EditEventKind.Accepted);
        _server.Applied.Should().Equal(id);
        _server.Received.Should().Be(2);
        _store.Count.Should().Be(0);
    }

    [Fact]
    public void Restore_RetryPendingAfterAnEarlierRejection_RunsAgainBecauseTheAttemptIsKept()
    {
        var first = new JournaledClient(_store, _clock);
        first.Client.OnConnected();
        var id = first.Edits.Request("hello").Id;
        _server.Decide = static _ => TooLong;
        first.Exchange(_server);
        first.Edits.Retry(id).Should().BeTrue();

        _server.Decide = static _ => null;
        using var second = new JournaledClient(_store, _clock);
        second.Restored.Should().ContainSingle().Which.Attempt.Should().Be(2);
        second.Client.OnConnected();
        second.Exchange(_server);

        second.Events.KindsOf(id)[^1].Should().Be(EditEventKind.Accepted, "attempt 2 is a new run for the ledger, not a resend of the rejected attempt 1");
        _server.Applied.Should().Equal(id);
    }

    [Fact]
    public void Cancel_RestoredEditNotYetResent_SaysAfterStartBecauseTheEarlierRunMayHaveSentIt()
    {
        var first = new JournaledClient(_store, _clock);
        first.Client.OnConnected();
        var id = first.Edits.Request("hello").Id;

        using var second = new JournaledClient(_store, _clock);
        second.Client.TryGetDelivery(id, out var delivery).Should().BeTrue();
        delivery!.SendCount.Should().Be(0);

        second.Client.Cancel(id).Should().Be(EditCancellation.AfterStart);
        _store.Count.Should().Be(0);
    }

    [Fact]
    public void Restore_FailedEdit_ComesBackFailedWithItsErrorAndRetriesWithTheNextAttempt()
    {
        var first = new JournaledClient(_store, _clock);
        first.Client.OnConnected();
        var id = first.Edits.Request("hello").Id;
        first.Client.OnRejected(id, 1, TooLong);

        using var second = new JournaledClient(_store, _clock);
        var restored = second.Restored.Should().ContainSingle().Subject;
        restored.Status.Should().Be(EditStatus.Rejected);
        restored.Error.Should().BeOfType<RemoteEditRejectedException>().Which.Error.Should().Be(TooLong);
        second.Client.OnConnected();
        second.Sent.Values.Should().BeEmpty("a failed edit waits for the user's retry");

        second.Edits.Retry(id).Should().BeTrue();

        second.Sent.Values.Should().Equal(new EditRequest<string>(id, 2, "hello"));
    }

    [Fact]
    public void Restore_FailedEditDiscarded_IsGoneAtTheNextRestart()
    {
        var first = new JournaledClient(_store, _clock);
        first.Client.OnConnected();
        var id = first.Edits.Request("hello").Id;
        first.Client.OnRejected(id, 1, TooLong);
        var second = new JournaledClient(_store, _clock);

        second.Edits.Discard(id).Should().BeTrue();

        using var third = new JournaledClient(_store, _clock);
        third.Restored.Should().BeEmpty();
        _store.Count.Should().Be(0);
    }

    [Fact]
    public void Restore_GivenUpEdit_ComesBackFailedWithTheGaveUpCode()
    {
        var first = new JournaledClient(_store, _clock);
        var edit = first.Edits.Request("hello");
        edit.Token.Reject(new RemoteEditGaveUpException(3, TimeSpan.FromMinutes(1)));

        using var second = new JournaledClient(_store, _clock);

        second.Restored.Should().ContainSingle().Which.Error.Should().BeOfType<RemoteEditRejectedException>()
            .Which.Code.Should().Be(RemoteErrorCodes.GaveUp);
    }

    [Fact]
    public void Restore_KeepsTheRequestTimeAndRestoresInRequestOrder()
    {
        var first = new JournaledClient(_store, _clock);
        var ids = new List<EditId>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(first.Edits.Request($"m{i}").Id);
            _clock.AdvanceBy(TimeSpan.FromSeconds(1));
        }

        using var second = new JournaledClient(_store, _clock);
        second.Client.OnConnected();

        second.Restored.Select(e => e.Id).Should().Equal(ids);
        second.Restored.Select(e => e.RequestedAt).Should().Equal(Enumerable.Range(0, 5).Select(i => TestClock.Epoch.AddSeconds(i)));
        second.Sent.Values.Select(r => r.Id).Should().Equal(ids, "resends keep the order the user sent in");
    }

    [Fact]
    public void Restore_Twice_AddsNothingTheSecondTime()
    {
        new JournaledClient(_store, _clock).Edits.Request("hello");
        using var second = new JournaledClient(_store, _clock);

        second.Journal.Restore().Should().BeEmpty();

        second.Edits.Items.Should().ContainSingle();
    }

    [Fact]
    public void Restore_EntryOfAnotherKind_IsLeftToItsOwnJournal()
    {
        using var posts = new EditSet<PostMessage>(EditSetOptions.Default, _clock);
        using (var postJournal = new UnsettledEditJournal<PostMessage>(posts, JournaledClient.Protocol, _store))
        {
            posts.Request(new PostMessage("a post"));
        }

        new JournaledClient(_store, _clock).Edits.Request("a text");

        using var texts = new JournaledClient(_store, _clock);
        texts.Restored.Should().ContainSingle().Which.Value.Should().Be("a text");
        using var restoredPosts = new EditSet<PostMessage>(EditSetOptions.Default, _clock);
        using var restoredPostJournal = new UnsettledEditJournal<PostMessage>(restoredPosts, JournaledClient.Protocol, _store);
        restoredPostJournal.Restore().Should().ContainSingle().Which.Value.Should().Be(new PostMessage("a post"));
        _store.Count.Should().Be(2);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1]")]
    [InlineData("""{"id":"x","kind":"text","attempt":1,"requestedAt":"2000-01-01T00:00:00Z","command":"a"}""")]
    [InlineData("""{"id":"6f1c7f0e-52a4-4a0b-9d0a-3f1b1c0c2a11","kind":"text","attempt":0,"requestedAt":"2000-01-01T00:00:00Z","command":"a"}""")]
    [InlineData("""{"id":"6f1c7f0e-52a4-4a0b-9d0a-3f1b1c0c2a11","kind":"text","attempt":1,"requestedAt":"2000-01-01T00:00:00Z","command":42}""")]
    [InlineData("""{"id":"6f1c7f0e-52a4-4a0b-9d0a-3f1b1c0c2a11","kind":"text","attempt":1,"requestedAt":"2000-01-01T00:00:00Z","command":"a","error":{"code":""}}""")]
    public void Restore_MalformedEntry_IsReportedAndLeftInTheStoreWhileTheOthersAreRestored(string malformed)
    {
        var bad = EditId.New();
        _store.Save(bad, malformed);
        new JournaledClient(_store, _clock).Edits.Request("good");

        using var run = new JournaledClient(_store, _clock);

        run.Restored.Should().ContainSingle().Which.Value.Should().Be("good");
        run.StoreErrors.Values.Should().ContainSingle().Which.Should().BeOfType<FormatException>()
            .Which.Message.Should().StartWith("An unsettled edit");
        _store.TryGetEntry(bad, out var kept).Should().BeTrue();
        kept.Should().Be(malformed);
    }

    [Fact]
    public void Restore_StoreLoadThrows_PropagatesAndRestoresNothing()
    {
        var store = new FlakyStore { FailLoad = true };
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var journal = new UnsettledEditJournal<string>(edits, JournaledClient.Protocol, store);

        var act = () => journal.Restore();

        act.Should().Throw<IOException>();
        edits.Items.Should().BeEmpty();
    }

    [Fact]
    public void Accept_WhenTheStoreRemoveThrows_StillSettlesAndRemovesAtTheNextWrite()
    {
        var store = new FlakyStore();
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var journal = new UnsettledEditJournal<string>(edits, JournaledClient.Protocol, store);
        using var errors = journal.StoreErrors.Record();
        var edit = edits.Request("hello");
        store.FailWrites = true;

        edit.Token.Accept().Should().BeTrue();

        edits.Items.Should().BeEmpty("a failing store never changes an edit's life");
        errors.Values.Should().ContainSingle().Which.Should().BeOfType<IOException>();
        store.Inner.Count.Should().Be(1);
        journal.UnwrittenCount.Should().Be(1);

        store.FailWrites = false;
        var next = edits.Request("next");

        store.Inner.TryGetEntry(edit.Id, out _).Should().BeFalse("the failed removal is tried again with the next write");
        store.Inner.TryGetEntry(next.Id, out _).Should().BeTrue();
        journal.UnwrittenCount.Should().Be(0);
    }

    [Fact]
    public void Discard_WhenTheStoreRemoveThrows_StillDiscardsAndFlushRemovesLater()
    {
        var store = new FlakyStore();
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var journal = new UnsettledEditJournal<string>(edits, JournaledClient.Protocol, store);
        using var errors = journal.StoreErrors.Record();
        var edit = edits.Request("hello");
        edit.Token.Reject(new InvalidOperationException("no"));
        store.FailWrites = true;

        edits.Discard(edit.Id).Should().BeTrue();
        journal.Flush().Should().BeFalse();

        edits.Items.Should().BeEmpty();
        errors.Values.Should().HaveCount(2);
        store.FailWrites = false;
        journal.Flush().Should().BeTrue();
        store.Inner.Count.Should().Be(0);
    }

    [Fact]
    public void Request_WhenTheStoreSaveThrows_StaysPendingAndIsSavedByFlush()
    {
        var store = new FlakyStore { FailWrites = true };
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var journal = new UnsettledEditJournal<string>(edits, JournaledClient.Protocol, store);

        var edit = edits.Request("hello");

        edits.TryGetEdit(edit.Id, out var pending).Should().BeTrue();
        pending!.Status.Should().Be(EditStatus.Pending);
        store.Inner.Count.Should().Be(0);
        store.FailWrites = false;
        journal.Flush().Should().BeTrue();
        store.Inner.TryGetEntry(edit.Id, out _).Should().BeTrue();
    }

    [Fact]
    public void Dispose_JournalBeforeTheSet_KeepsPendingEditsStored()
    {
        var run = new JournaledClient(_store, _clock);
        run.Edits.Request("hello");

        run.Dispose();

        _store.Count.Should().Be(1);
    }

    [Fact]
    public void Constructor_EditsAlreadyInTheSet_AreSaved()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var edit = edits.Request("early");

        using var journal = new UnsettledEditJournal<string>(edits, JournaledClient.Protocol, _store);

        _store.TryGetEntry(edit.Id, out _).Should().BeTrue();
    }

    [Fact]
    public void Start_OfAWaitingEdit_WritesNothingNew()
    {
        var store = new FlakyStore();
        using var edits = new EditSet<string>(new EditSetOptions { Policy = EditPolicy.Queued }, _clock);
        using var journal = new UnsettledEditJournal<string>(edits, JournaledClient.Protocol, store);
        var first = edits.Request("a");
        edits.Request("b");
        var writes = store.Writes;

        first.Token.Accept();

        store.Writes.Should().Be(writes + 1, "only the accepted edit's removal is written; the start of the next changes nothing stored");
    }

    [Fact]
    public void Constructor_InvalidArguments_Throw()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var noText = new EditWireProtocol().WithCommand(TestJson.Default.PostMessage);

        FluentActions.Invoking(() => new UnsettledEditJournal<string>(null!, JournaledClient.Protocol, _store)).Should().Throw<ArgumentNullException>().WithParameterName("edits");
        FluentActions.Invoking(() => new UnsettledEditJournal<string>(edits, null!, _store)).Should().Throw<ArgumentNullException>().WithParameterName("protocol");
        FluentActions.Invoking(() => new UnsettledEditJournal<string>(edits, JournaledClient.Protocol, null!)).Should().Throw<ArgumentNullException>().WithParameterName("store");
        FluentActions.Invoking(() => new UnsettledEditJournal<string>(edits, noText, _store)).Should().Throw<ArgumentException>().WithParameterName("protocol")
            .WithMessage("*String*WithCommand*");
    }

    [Fact]
    public void Restore_AfterDispose_Throws()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var journal = new UnsettledEditJournal<string>(edits, JournaledClient.Protocol, _store);
        journal.Dispose();

        journal.Invoking(j => j.Restore()).Should().Throw<ObjectDisposedException>();
        journal.Flush().Should().BeFalse();
    }

    [Fact]
    public void InMemoryStore_SaveNull_Throws()
    {
        _store.Invoking(s => s.Save(EditId.New(), null!)).Should().Throw<ArgumentNullException>().WithParameterName("entry");
    }

    /// <summary>A store whose writes or load fail on demand, over an in-memory one.</summary>
    private sealed class FlakyStore : IUnsettledEditStore
    {
        public InMemoryUnsettledEditStore Inner { get; } = new();

        public bool FailWrites { get; set; }

        public bool FailLoad { get; set; }

        public int Writes { get; private set; }

        public IReadOnlyList<string> Load() => FailLoad ? throw new IOException("load failed") : Inner.Load();

        public void Save(EditId id, string entry)
        {
            Writes++;
            ThrowIfFailing();
            Inner.Save(id, entry);
        }

        public void Remove(EditId id)
        {
            Writes++;
            ThrowIfFailing();
            Inner.Remove(id);
        }

        private void ThrowIfFailing()
        {
            if (FailWrites)
            {
                throw new IOException("write failed");
            }
        }
    }
}
