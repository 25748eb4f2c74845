using Reactive.Edits.ChangeSets;
using Reactive.Edits.Testing;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Tests.Lifecycle;

/// <summary>Busy is "any edit pending": distinct, and never seen idle while one edit hands over to another.</summary>
/// <remarks>Every test records every value the stream emitted, so a blip would show up as an extra false.</remarks>
public sealed class BusyTests
{
    private readonly TestClock _clock = new();

    [Fact]
    public void IsBusy_OneEdit_TrueExactlyWhileItIsPending()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var busy = edits.IsBusy.Record();

        var edit = edits.Request("hello");
        busy.Values.Should().Equal(false, true);
        edit.Token.Accept();

        busy.Values.Should().Equal(false, true, false);
        busy.Violations.Should().BeEmpty();
    }

    [Fact]
    public void IsBusy_OverlappingEdits_IsDistinctAndTrueUntilTheLastSettles()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var busy = edits.IsBusy.Record();
        var first = edits.Request("a");
        var second = edits.Request("b");
        var third = edits.Request("c");

        first.Token.Accept();
        second.Token.Cancel();
        busy.Values.Should().Equal(false, true);
        third.Token.Accept();

        busy.Values.Should().Equal(false, true, false);
    }

    [Fact]
    public void IsBusy_RejectedEdit_IsNotBusyUntilRetried()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var busy = edits.IsBusy.Record();
        var edit = edits.Request("hello");

        edit.Token.Reject(new InvalidOperationException("no"));
        busy.Values.Should().Equal(false, true, false);
        edits.Retry(edit.Id);

        busy.Values.Should().Equal(false, true, false, true);
    }

    [Fact]
    public void IsBusy_LateSubscriber_GetsTheCurrentValueFirst()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        edits.Request("hello");

        using var busy = edits.IsBusy.Record();

        busy.Values.Should().Equal(true);
    }

    [Fact]
    public void IsBusy_PreviousAcceptedInsideAChangeSubscriberOfTheNextRequest_HasNoFalseBlip()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var previous = edits.Request("previous");
        using var busy = edits.IsBusy.Record();
        using var handover = edits.Connect().Subscribe(changes =>
        {
            if (changes.Any(c => c.Reason == ChangeReason.Add && c.Current.Value == "next"))
            {
                previous.Token.Accept();
            }
        });

        var next = edits.Request("next");
        previous.Token.IsSpent.Should().BeTrue();
        next.Token.Accept();

        busy.Values.Should().Equal(true, false);
    }

    [Fact]
    public void IsBusy_PreviousAcceptedWhenTheNextStarts_HasNoFalseBlip()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var busy = edits.IsBusy.Record();
        Edit<string>? inFlight = null;
        using var committer = edits.Started.Subscribe(edit =>
        {
            inFlight?.Token.Accept();
            inFlight = edit;
        });

        edits.Request("a");
        edits.Request("b");
        edits.Request("c");
        inFlight!.Token.Accept();

        busy.Values.Should().Equal(false, true, false);
        edits.Items.Should().BeEmpty();
    }

    [Fact]
    public void IsBusy_QueuedEditTakesOver_HasNoFalseBlip()
    {
        using var edits = new EditSet<string>(new EditSetOptions { Policy = EditPolicy.Queued }, _clock);
        using var busy = edits.IsBusy.Record();
        var first = edits.Request("a");
        var second = edits.Request("b");

        first.Token.Accept();
        busy.Values.Should().Equal(false, true);
        edits.TryGetEdit(second.Id, out var current).Should().BeTrue();
        current!.Token.Accept();

        busy.Values.Should().Equal(false, true, false);
    }

    [Fact]
    public void IsBusy_LatestWinsSupersede_HasNoFalseBlip()
    {
        using var edits = new EditSet<string>(new EditSetOptions { Policy = EditPolicy.LatestWins }, _clock);
        using var busy = edits.IsBusy.Record();
        edits.Request("a");
        edits.Request("b");
        var last = edits.Request("c");

        last.Token.Accept();

        busy.Values.Should().Equal(false, true, false);
    }

    [Fact]
    public void IsBusy_SynchronousCommitter_IsTrueThenFalse()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var busy = edits.IsBusy.Record();
        using var committer = edits.Commit((_, _, _) => Task.CompletedTask);

        edits.Request("hello");

        busy.Values.Should().Equal(false, true, false);
    }

    [Fact]
    public void PendingCount_FollowsRequestsAndSettles_NotCountingRejected()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var pending = edits.PendingCount.Record();
        var first = edits.Request("a");
        var second = edits.Request("b");

        first.Token.Reject(new InvalidOperationException("no"));
        second.Token.Accept();
        edits.Retry(first.Id);

        pending.Values.Should().Equal(0, 1, 2, 1, 0, 1);
    }

    [Fact]
    public void PendingCount_SupersedeStep_EmitsNoIntermediateValue()
    {
        using var edits = new EditSet<string>(new EditSetOptions { Policy = EditPolicy.LatestWins }, _clock);
        using var pending = edits.PendingCount.Record();

        edits.Request("a");
        edits.Request("b");

        pending.Values.Should().Equal(0, 1);
    }

    [Fact]
    public void Counts_QueuedEdits_SplitPendingIntoInFlightAndWaiting()
    {
        using var edits = new EditSet<string>(new EditSetOptions { Policy = EditPolicy.Queued }, _clock);
        using var counts = edits.Counts.Record();
        var first = edits.Request("a");
        edits.Request("b");
        edits.Request("c");

        first.Token.Reject(new InvalidOperationException("no"));

        counts.Last.Should().Be(new EditCounts(Pending: 2, Waiting: 1, Rejected: 1));
        counts.Last.InFlight.Should().Be(1);
        counts.Last.IsBusy.Should().BeTrue();
        counts.Values.Should().Equal(
            EditCounts.Zero,
            new EditCounts(1, 0, 0),
            new EditCounts(2, 1, 0),
            new EditCounts(3, 2, 0),
            new EditCounts(2, 1, 1));
    }
}
