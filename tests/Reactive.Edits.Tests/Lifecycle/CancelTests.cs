using Reactive.Edits.Testing;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Tests.Lifecycle;

/// <summary>DESIGN §2 "honest cancellation": the result says whether the attempt had started.</summary>
public sealed class CancelTests
{
    private readonly TestClock _clock = new();

    [Fact]
    public void Cancel_StartedEdit_ReturnsAfterStartAndFiresItsCancellationToken()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var edit = edits.Request("hello");
        var cancellation = edit.Token.CancellationToken;

        edits.Cancel(edit.Id).Should().Be(EditCancellation.AfterStart);

        cancellation.IsCancellationRequested.Should().BeTrue();
        edit.Token.IsSpent.Should().BeTrue();
        edits.Items.Should().BeEmpty();
    }

    [Fact]
    public void Cancel_WaitingEdit_ReturnsBeforeStartAndItIsNeverStarted()
    {
        using var edits = new EditSet<string>(new EditSetOptions { Policy = EditPolicy.Queued }, _clock);
        using var started = edits.Started.Record();
        var first = edits.Request("first");
        var waiting = edits.Request("waiting");

        edits.Cancel(waiting.Id).Should().Be(EditCancellation.BeforeStart);
        first.Token.Accept();

        started.Values.Select(e => e.Id).Should().Equal(first.Id);
        edits.Items.Should().BeEmpty();
    }

    [Fact]
    public void Cancel_UnknownId_ReturnsNotCancelled()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        edits.Request("hello");

        edits.Cancel(EditId.New()).Should().Be(EditCancellation.NotCancelled);

        edits.Items.Should().ContainSingle();
    }

    [Fact]
    public void Cancel_RejectedEdit_ReturnsNotCancelledAndKeepsIt()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var edit = edits.Request("hello");
        edit.Token.Reject(new InvalidOperationException("no"));

        edits.Cancel(edit.Id).Should().Be(EditCancellation.NotCancelled);

        edits.Items.Should().ContainSingle().Which.Status.Should().Be(EditStatus.Rejected);
    }

    [Fact]
    public void Cancel_Twice_SecondReturnsNotCancelled()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var edit = edits.Request("hello");
        edits.Cancel(edit.Id);

        edits.Cancel(edit.Id).Should().Be(EditCancellation.NotCancelled);
    }

    [Fact]
    public void Cancel_ThenSpendTheToken_SpendReturnsFalse()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var edit = edits.Request("hello");
        edits.Cancel(edit.Id);

        edit.Token.Accept().Should().BeFalse();
        edit.Token.Reject(new InvalidOperationException("late")).Should().BeFalse();
        edit.Token.Cancel().Should().BeFalse();
    }

    [Fact]
    public void TokenCancel_PendingEdit_RemovesItAsCancelled()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var changes = edits.Connect().Record();
        var edit = edits.Request("hello");

        edit.Token.Cancel().Should().BeTrue();

        changes.Values[^1].Should().ContainSingle().Which.Current.Status.Should().Be(EditStatus.Cancelled);
        edits.Items.Should().BeEmpty();
    }
}
