using Reactive.Edits.ChangeSets;
using Reactive.Edits.Testing;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Tests.Lifecycle;

/// <summary>DESIGN §2 "explicit outcomes": add on request, update on status change, remove when settled, each outcome distinct.</summary>
public sealed class OutcomeChangeTests : IDisposable
{
    private readonly RecordedEditSet _set = new();
    private readonly EditSet<string> _edits;
    private readonly ObservableRecorder<IChangeSet<Edit<string>, EditId>> _changes;

    public OutcomeChangeTests()
    {
        _edits = _set.Edits;
        _changes = _set.Changes;
    }

    public void Dispose() => _set.Dispose();

    [Fact]
    public void Request_EmitsAnAddOfAPendingStartedEdit()
    {
        var edit = _edits.Request("hello");

        var change = _changes.Values.Should().ContainSingle().Which.Should().ContainSingle().Subject;
        change.Reason.Should().Be(ChangeReason.Add);
        change.Key.Should().Be(edit.Id);
        change.Current.Should().BeSameAs(edit);
        change.Current.Status.Should().Be(EditStatus.Pending);
        change.Current.IsStarted.Should().BeTrue();
        edit.RequestedAt.Should().Be(TestClock.Epoch);
    }

    [Fact]
    public void Accept_EmitsARemoveWhoseCurrentIsAccepted()
    {
        var edit = _edits.Request("hello");

        edit.Token.Accept();

        AssertLastChangeIsRemove(edit.Id, EditStatus.Accepted);
    }

    [Fact]
    public void Cancel_EmitsARemoveWhoseCurrentIsCancelled()
    {
        var edit = _edits.Request("hello");

        _edits.Cancel(edit.Id);

        AssertLastChangeIsRemove(edit.Id, EditStatus.Cancelled);
    }

    [Fact]
    public void Discard_EmitsARemoveWhoseCurrentIsDiscarded()
    {
        var edit = _edits.Request("hello");
        edit.Token.Reject(new InvalidOperationException("no"));

        _edits.Discard(edit.Id);

        AssertLastChangeIsRemove(edit.Id, EditStatus.Discarded);
    }

    [Fact]
    public void Supersede_EmitsARemoveWhoseCurrentIsSupersededInTheSameChangeSetAsTheAdd()
    {
        using var latestWins = new RecordedEditSet(EditPolicy.LatestWins);
        var first = latestWins.Edits.Request("first");

        var second = latestWins.Edits.Request("second");

        latestWins.Changes.Values[^1].Select(c => (c.Reason, c.Current.Status, c.Key)).Should().Equal(
            (ChangeReason.Remove, EditStatus.Superseded, first.Id),
            (ChangeReason.Add, EditStatus.Pending, second.Id));
    }

    [Fact]
    public void Reject_EmitsAnUpdateNotARemove()
    {
        var edit = _edits.Request("hello");

        edit.Token.Reject(new InvalidOperationException("no"));

        _changes.Values.Rows().Should().Equal(
            (ChangeReason.Add, EditStatus.Pending, edit.Id),
            (ChangeReason.Update, EditStatus.Rejected, edit.Id));
    }

    [Fact]
    public void TerminalOutcomes_AreDistinctStatusesOnTheRemovedEdit()
    {
        var accepted = _edits.Request("a");
        var cancelled = _edits.Request("c");
        var discarded = _edits.Request("d");
        accepted.Token.Accept();
        cancelled.Token.Cancel();
        discarded.Token.Reject(new InvalidOperationException("no"));
        _edits.Discard(discarded.Id);

        var removed = _changes.Values.Flat().Where(c => c.Reason == ChangeReason.Remove).ToList();

        removed.Select(c => (c.Key, c.Current.Status)).Should().Equal(
            (accepted.Id, EditStatus.Accepted),
            (cancelled.Id, EditStatus.Cancelled),
            (discarded.Id, EditStatus.Discarded));
        removed.Should().OnlyContain(c => c.HasPrevious && c.Previous!.Id == c.Key);
    }

    [Fact]
    public void Connect_LateSubscriber_GetsTheCurrentEditsAsOneChangeSetOfAdds()
    {
        var pending = _edits.Request("pending");
        var rejected = _edits.Request("rejected");
        rejected.Token.Reject(new InvalidOperationException("no"));
        _edits.Request("accepted").Token.Accept();

        using var late = _edits.Connect().Record();

        var replay = late.Values.Should().ContainSingle().Subject;
        replay.Should().OnlyContain(c => c.Reason == ChangeReason.Add);
        replay.Select(c => (c.Key, c.Current.Status)).Should().BeEquivalentTo([(pending.Id, EditStatus.Pending), (rejected.Id, EditStatus.Rejected)]);
    }

    private void AssertLastChangeIsRemove(EditId id, EditStatus status)
    {
        var change = _changes.Values[^1].Should().ContainSingle().Subject;
        change.Reason.Should().Be(ChangeReason.Remove);
        change.Key.Should().Be(id);
        change.Current.Status.Should().Be(status);
        change.Previous!.Status.Should().NotBe(status);
        _edits.TryGetEdit(id, out _).Should().BeFalse();
    }
}
