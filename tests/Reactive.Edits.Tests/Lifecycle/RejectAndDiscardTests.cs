using Reactive.Edits.ChangeSets;
using Reactive.Edits.Testing;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Tests.Lifecycle;

/// <summary>DESIGN §2: a rejected edit stays, with its value and error, until retry or discard; discard removes it.</summary>
public sealed class RejectAndDiscardTests : IDisposable
{
    private readonly TestClock _clock = new();
    private readonly EditSet<string> _edits;

    public RejectAndDiscardTests()
    {
        _edits = new EditSet<string>(EditSetOptions.Default, _clock);
    }

    public void Dispose() => _edits.Dispose();

    [Fact]
    public void Reject_PendingEdit_RetainsValueAndErrorInTheSet()
    {
        var edit = _edits.Request("hello");
        var error = new InvalidOperationException("too long");

        edit.Token.Reject(error).Should().BeTrue();

        var rejected = _edits.Items.Should().ContainSingle().Subject;
        rejected.Id.Should().Be(edit.Id);
        rejected.Status.Should().Be(EditStatus.Rejected);
        rejected.Value.Should().Be("hello");
        rejected.Error.Should().BeSameAs(error);
        rejected.IsPending.Should().BeFalse();
    }

    [Fact]
    public void Reject_RejectedEdit_StaysWhileTimePassesAndOtherEditsSettle()
    {
        var rejected = _edits.Request("kept");
        rejected.Token.Reject(new InvalidOperationException("no"));

        _clock.AdvanceBy(TimeSpan.FromHours(1));
        _edits.Request("other").Token.Accept();
        _edits.Request("third").Token.Cancel();

        _edits.Items.Should().ContainSingle().Which.Value.Should().Be("kept");
    }

    [Fact]
    public void Reject_EmitsAnUpdateWithTheErrorAndThePendingSnapshotAsPrevious()
    {
        var edit = _edits.Request("hello");
        using var changes = _edits.Connect().Record();
        var error = new InvalidOperationException("no");

        edit.Token.Reject(error);

        var change = changes.Values[^1].Should().ContainSingle().Subject;
        change.Reason.Should().Be(ChangeReason.Update);
        change.Current.Error.Should().BeSameAs(error);
        change.Previous!.Status.Should().Be(EditStatus.Pending);
    }

    [Fact]
    public void Discard_RejectedEdit_RemovesItAsDiscarded()
    {
        var edit = _edits.Request("hello");
        var error = new InvalidOperationException("no");
        edit.Token.Reject(error);
        using var changes = _edits.Connect().Record();

        _edits.Discard(edit.Id).Should().BeTrue();

        _edits.Items.Should().BeEmpty();
        var change = changes.Values[^1].Should().ContainSingle().Subject;
        change.Reason.Should().Be(ChangeReason.Remove);
        change.Current.Status.Should().Be(EditStatus.Discarded);
        change.Current.Value.Should().Be("hello");
        change.Current.Error.Should().BeSameAs(error);
    }

    [Fact]
    public void Discard_Twice_SecondReturnsFalse()
    {
        var edit = _edits.Request("hello");
        edit.Token.Reject(new InvalidOperationException("no"));
        _edits.Discard(edit.Id);

        _edits.Discard(edit.Id).Should().BeFalse();
    }

    [Fact]
    public void Discard_PendingEdit_ReturnsFalseAndKeepsItPending()
    {
        var edit = _edits.Request("hello");

        _edits.Discard(edit.Id).Should().BeFalse();

        _edits.Items.Should().ContainSingle().Which.Status.Should().Be(EditStatus.Pending);
        edit.Token.IsSpent.Should().BeFalse();
    }

    [Fact]
    public void Discard_UnknownId_ReturnsFalse()
    {
        _edits.Request("hello").Token.Reject(new InvalidOperationException("no"));

        _edits.Discard(EditId.New()).Should().BeFalse();

        _edits.Items.Should().ContainSingle();
    }

    [Fact]
    public void Retry_DiscardedEdit_ReturnsFalse()
    {
        var edit = _edits.Request("hello");
        edit.Token.Reject(new InvalidOperationException("no"));
        _edits.Discard(edit.Id);

        _edits.Retry(edit.Id).Should().BeFalse();

        _edits.Items.Should().BeEmpty();
    }
}
