using Reactive.Edits.ChangeSets;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Tests.Lifecycle;

/// <summary>DESIGN §2 "first spend wins": a second spend changes nothing, in the set or in its change stream.</summary>
public sealed class FirstSpendTests : IDisposable
{
    private readonly RecordedEditSet _set = new();
    private readonly EditSet<string> _edits;
    private readonly ObservableRecorder<IChangeSet<Edit<string>, EditId>> _changes;

    public FirstSpendTests()
    {
        _edits = _set.Edits;
        _changes = _set.Changes;
    }

    public void Dispose() => _set.Dispose();

    [Fact]
    public void Reject_AfterAccept_ReturnsFalseAndEmitsNoChange()
    {
        var edit = _edits.Request("hello");
        edit.Token.Accept().Should().BeTrue();
        var changesAfterAccept = _changes.Values.Count;

        edit.Token.Reject(new InvalidOperationException("late")).Should().BeFalse();

        _changes.Values.Should().HaveCount(changesAfterAccept);
        _edits.Items.Should().BeEmpty();
        _edits.TryGetEdit(edit.Id, out _).Should().BeFalse();
    }

    [Fact]
    public void Accept_AfterReject_ReturnsFalseAndKeepsTheRejectedEdit()
    {
        var edit = _edits.Request("hello");
        var error = new InvalidOperationException("refused");
        edit.Token.Reject(error).Should().BeTrue();
        var changesAfterReject = _changes.Values.Count;

        edit.Token.Accept().Should().BeFalse();
        edit.Token.Cancel().Should().BeFalse();

        _changes.Values.Should().HaveCount(changesAfterReject);
        _edits.TryGetEdit(edit.Id, out var current).Should().BeTrue();
        current!.Status.Should().Be(EditStatus.Rejected);
        current.Error.Should().BeSameAs(error);
        current.Value.Should().Be("hello");
    }

    [Fact]
    public void Accept_AfterCancel_ReturnsFalseAndEmitsNoChange()
    {
        var edit = _edits.Request("hello");
        edit.Token.Cancel().Should().BeTrue();
        var changesAfterCancel = _changes.Values.Count;

        edit.Token.Accept().Should().BeFalse();

        _changes.Values.Should().HaveCount(changesAfterCancel);
        _changes.Values.Rows().Should().Equal(
            (ChangeReason.Add, EditStatus.Pending, edit.Id),
            (ChangeReason.Remove, EditStatus.Cancelled, edit.Id));
    }

    [Fact]
    public void Reject_SecondTime_ReturnsFalseAndKeepsTheFirstError()
    {
        var edit = _edits.Request("hello");
        var first = new InvalidOperationException("first");
        edit.Token.Reject(first).Should().BeTrue();

        edit.Token.Reject(new InvalidOperationException("second")).Should().BeFalse();

        _edits.Items.Should().ContainSingle().Which.Error.Should().BeSameAs(first);
    }

    [Fact]
    public void StaleToken_RejectAfterRetry_DoesNotTouchTheNewAttempt()
    {
        var edit = _edits.Request("hello");
        edit.Token.Reject(new InvalidOperationException("offline"));
        _edits.Retry(edit.Id).Should().BeTrue();
        var changesAfterRetry = _changes.Values.Count;

        edit.Token.Reject(new InvalidOperationException("stale")).Should().BeFalse();

        _changes.Values.Should().HaveCount(changesAfterRetry);
        _edits.TryGetEdit(edit.Id, out var current).Should().BeTrue();
        current!.Status.Should().Be(EditStatus.Pending);
        current.Error.Should().BeNull();
        current.Token.Accept().Should().BeTrue();
        _edits.Items.Should().BeEmpty();
    }

    [Fact]
    public void Accept_OneOfSeveralEdits_LeavesTheOthersUntouched()
    {
        var first = _edits.Request("a");
        var second = _edits.Request("b");
        var third = _edits.Request("c");

        second.Token.Accept().Should().BeTrue();

        _edits.Items.Select(e => e.Id).Should().BeEquivalentTo([first.Id, third.Id]);
        _changes.Values[^1].Should().ContainSingle().Which.Key.Should().Be(second.Id);
    }
}
