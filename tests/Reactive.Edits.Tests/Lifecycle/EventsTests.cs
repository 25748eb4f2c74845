using Reactive.Edits.Testing;

namespace Reactive.Edits.Tests.Lifecycle;

/// <summary>Each lifecycle step is reported as its own event kind, per edit and in order.</summary>
public sealed class EventsTests
{
    private readonly TestClock _clock = new();

    [Fact]
    public void Events_AcceptedEdit_ReportsRequestedStartedAccepted()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var recorder = new EditRecorder<string>(edits);

        edits.Request("hello").Token.Accept();

        recorder.Kinds.Should().Equal(EditEventKind.Requested, EditEventKind.Started, EditEventKind.Accepted);
    }

    [Fact]
    public void Events_RejectedThenRetried_ReportsRejectedRetriedAndANewStart()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var recorder = new EditRecorder<string>(edits);
        var edit = edits.Request("hello");

        edit.Token.Reject(new InvalidOperationException("no"));
        edits.Retry(edit.Id);
        edits.TryGetEdit(edit.Id, out var retried);
        retried!.Token.Accept();

        recorder.Kinds.Should().Equal(
            EditEventKind.Requested, EditEventKind.Started, EditEventKind.Rejected,
            EditEventKind.Retried, EditEventKind.Started, EditEventKind.Accepted);
        recorder.Events[^1].Event.Edit.Attempt.Should().Be(2);
    }

    [Fact]
    public void Events_CancelledSupersededAndDiscarded_AreEachTheirOwnKind()
    {
        using var edits = new EditSet<string>(new EditSetOptions { Policy = EditPolicy.LatestWins }, _clock);
        using var recorder = new EditRecorder<string>(edits);
        var superseded = edits.Request("superseded");
        var cancelled = edits.Request("cancelled");
        edits.Cancel(cancelled.Id);
        var discarded = edits.Request("discarded");
        discarded.Token.Reject(new InvalidOperationException("no"));
        edits.Discard(discarded.Id);

        recorder.KindsOf(superseded.Id)[^1].Should().Be(EditEventKind.Superseded);
        recorder.KindsOf(cancelled.Id)[^1].Should().Be(EditEventKind.Cancelled);
        recorder.KindsOf(discarded.Id)[^1].Should().Be(EditEventKind.Discarded);
    }

    [Fact]
    public void Events_WaitingEdit_ReportsStartedOnlyWhenItReachesTheFront()
    {
        using var edits = new EditSet<string>(new EditSetOptions { Policy = EditPolicy.Queued }, _clock);
        using var recorder = new EditRecorder<string>(edits);
        var first = edits.Request("a");
        var second = edits.Request("b");
        recorder.KindsOf(second.Id).Should().Equal(EditEventKind.Requested);

        first.Token.Accept();

        recorder.KindsOf(second.Id).Should().Equal(EditEventKind.Requested, EditEventKind.Started);
    }

    [Fact]
    public void Events_LateSubscriber_IsNotReplayedEarlierSteps()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var edit = edits.Request("hello");

        using var recorder = new EditRecorder<string>(edits);
        edit.Token.Accept();

        recorder.Kinds.Should().Equal(EditEventKind.Accepted);
    }
}
