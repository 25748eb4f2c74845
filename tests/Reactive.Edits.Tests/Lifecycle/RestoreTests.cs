using Reactive.Edits.Testing;

namespace Reactive.Edits.Tests.Lifecycle;

/// <summary>An edit left unsettled by an earlier run comes back with its id, attempt, value and request time.</summary>
public sealed class RestoreTests
{
    private static readonly DateTimeOffset EarlierRun = TestClock.Epoch.AddHours(-1);

    private readonly TestClock _clock = new();

    [Fact]
    public void TryRestore_WithoutError_AddsAStartedPendingEditWithTheSameIdAttemptAndRequestTime()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var id = EditId.New();

        edits.TryRestore(id, "hello", attempt: 3, EarlierRun, error: null, out var edit).Should().BeTrue();

        edit!.Id.Should().Be(id);
        edit.Value.Should().Be("hello");
        edit.Attempt.Should().Be(3);
        edit.Token.Attempt.Should().Be(3);
        edit.Status.Should().Be(EditStatus.Pending);
        edit.IsStarted.Should().BeTrue();
        edit.IsRestored.Should().BeTrue();
        edit.RequestedAt.Should().Be(EarlierRun);
        edit.AttemptRequestedAt.Should().Be(TestClock.Epoch);
        edits.TryGetEdit(id, out var stored).Should().BeTrue();
        stored.Should().BeSameAs(edit);
    }

    [Fact]
    public void TryRestore_RequestTimeWithAnOffset_KeepsTheInstantAndTheOffset_ThroughEveryLaterSnapshot()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var requestedAt = new DateTimeOffset(2026, 3, 29, 1, 30, 15, 250, TimeSpan.FromMinutes(330));

        edits.TryRestore(EditId.New(), "hello", attempt: 1, requestedAt, error: null, out var edit).Should().BeTrue();
        edit!.Token.Reject(new InvalidOperationException("offline"));
        edits.TryRetry(edit.Id, out var retried).Should().BeTrue();

        foreach (var snapshot in new[] { edit, retried! })
        {
            snapshot.RequestedAt.EqualsExact(requestedAt).Should().BeTrue("{0} keeps the offset it was given", snapshot.RequestedAt);
            snapshot.AttemptRequestedAt.EqualsExact(TestClock.Epoch).Should().BeTrue();
        }
    }

    [Fact]
    public void TryRestore_WithError_AddsARejectedEditThatRetriesWithTheNextAttempt()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var id = EditId.New();
        var error = new InvalidOperationException("too long");

        edits.TryRestore(id, "hello", attempt: 2, EarlierRun, error, out var edit).Should().BeTrue();

        edit!.Status.Should().Be(EditStatus.Rejected);
        edit.Error.Should().BeSameAs(error);
        edit.Token.IsSpent.Should().BeTrue("a rejected edit has no live token until it is retried");
        edits.Retry(id).Should().BeTrue();
        edits.TryGetEdit(id, out var retried).Should().BeTrue();
        retried!.Attempt.Should().Be(3, "a retry after a restore is a later attempt than any the earlier run sent");
        retried.IsRestored.Should().BeTrue();
        retried.Token.Accept().Should().BeTrue();
        edits.Items.Should().BeEmpty();
    }

    [Fact]
    public void TryRestore_FailedEdit_CanBeDiscarded()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var id = EditId.New();
        edits.TryRestore(id, "hello", 1, EarlierRun, new InvalidOperationException("no"), out _);

        edits.Discard(id).Should().BeTrue();

        edits.Items.Should().BeEmpty();
    }

    [Fact]
    public void TryRestore_IdAlreadyInTheSet_ChangesNothingAndReturnsFalse()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var existing = edits.Request("first");

        edits.TryRestore(existing.Id, "other", 1, EarlierRun, error: null, out var edit).Should().BeFalse();

        edit.Should().BeNull();
        edits.Items.Should().ContainSingle().Which.Should().BeSameAs(existing);
    }

    [Fact]
    public void TryRestore_AttemptBelowOne_Throws()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);

        var act = () => edits.TryRestore(EditId.New(), "hello", 0, EarlierRun, error: null, out _);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("attempt");
        edits.Items.Should().BeEmpty();
    }

    [Fact]
    public void TryRestore_Disposed_Throws()
    {
        var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        edits.Dispose();

        var act = () => edits.TryRestore(EditId.New(), "hello", 1, EarlierRun, error: null, out _);

        act.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void TryRestore_UnderSingleFlight_NeverRefusesButWaitsInOrder()
    {
        using var edits = new EditSet<string>(new EditSetOptions { Policy = EditPolicy.SingleFlight }, _clock);
        var first = EditId.New();
        var second = EditId.New();

        edits.TryRestore(first, "a", 1, EarlierRun, error: null, out var a).Should().BeTrue();
        edits.TryRestore(second, "b", 1, EarlierRun, error: null, out var b).Should().BeTrue("restored input is never refused: that would lose it");

        a!.IsStarted.Should().BeTrue();
        b!.IsStarted.Should().BeFalse();
        a.Token.Accept();
        edits.TryGetEdit(second, out var started).Should().BeTrue();
        started!.IsStarted.Should().BeTrue();
    }

    [Fact]
    public void TryRestore_UnderLatestWins_DoesNotSupersedeAnotherRestoredEdit()
    {
        using var edits = new EditSet<string>(new EditSetOptions { Policy = EditPolicy.LatestWins }, _clock);

        edits.TryRestore(EditId.New(), "a", 1, EarlierRun, error: null, out _);
        edits.TryRestore(EditId.New(), "b", 1, EarlierRun, error: null, out _);

        edits.Items.Should().HaveCount(2).And.OnlyContain(e => e.Status == EditStatus.Pending);
    }

    [Fact]
    public void Cancel_RestoredPendingEdit_SaysAfterStartBecauseAnEarlierRunMayHaveSentIt()
    {
        using var edits = new EditSet<string>(new EditSetOptions { Policy = EditPolicy.Queued }, _clock);
        var started = EditId.New();
        var waiting = EditId.New();
        edits.TryRestore(started, "a", 1, EarlierRun, error: null, out _);
        edits.TryRestore(waiting, "b", 1, EarlierRun, error: null, out var waitingEdit);
        waitingEdit!.IsStarted.Should().BeFalse();

        edits.Cancel(waiting).Should().Be(EditCancellation.AfterStart);
        edits.Cancel(started).Should().Be(EditCancellation.AfterStart);
    }

    [Fact]
    public void Events_RestoredEdits_ReportRestoredThenStartedForPendingOnes()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var recorder = new EditRecorder<string>(edits);
        var pending = EditId.New();
        var failed = EditId.New();

        edits.TryRestore(pending, "a", 1, EarlierRun, error: null, out _);
        edits.TryRestore(failed, "b", 1, EarlierRun, new InvalidOperationException("no"), out _);

        recorder.KindsOf(pending).Should().Equal(EditEventKind.Restored, EditEventKind.Started);
        recorder.KindsOf(failed).Should().Equal(EditEventKind.Restored);
    }

    [Fact]
    public void Counts_RestoredEdits_CountAsPendingAndRejected()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var last = EditCounts.Zero;
        using var counts = edits.Counts.Subscribe(c => last = c);

        edits.TryRestore(EditId.New(), "a", 1, EarlierRun, error: null, out _);
        edits.TryRestore(EditId.New(), "b", 1, EarlierRun, new InvalidOperationException("no"), out _);

        last.Pending.Should().Be(1);
        last.Rejected.Should().Be(1);
    }

    [Fact]
    public void Request_AfterRestore_SortsAfterTheRestoredEdits()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        edits.TryRestore(EditId.New(), "a", 1, EarlierRun, error: null, out var restored);

        var requested = edits.Request("b");

        requested.Sequence.Should().BeGreaterThan(restored!.Sequence);
        requested.IsRestored.Should().BeFalse();
    }
}
