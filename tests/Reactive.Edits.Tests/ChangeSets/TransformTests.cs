using System.Reactive.Subjects;
using Reactive.Edits.ChangeSets;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Tests.ChangeSets;

public sealed class TransformTests
{
    private sealed record Row(int Id, string Label);

    private readonly KeyedSource<Item, int> _source = new(static item => item.Id);
    private int _calls;

    private Row ToRow(Item item)
    {
        _calls++;
        return new Row(item.Id, item.Name.ToUpperInvariant());
    }

    [Fact]
    public void Transform_NullArguments_Throw()
    {
        var source = _source.Connect();

        FluentActions.Invoking(() => ChangeSetObservable.Transform<Item, Row, int>(null!, ToRow)).Should().Throw<ArgumentNullException>().WithParameterName("source");
        FluentActions.Invoking(() => source.Transform((Func<Item, Row>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("selector");
        FluentActions.Invoking(() => source.Transform((Func<Item, int, Row>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("selector");
    }

    [Fact]
    public void Transform_Add_EmitsAddOfTheTransformedItem()
    {
        using var recorder = _source.Connect().Transform(ToRow).Record();

        _source.AddOrUpdate(new Item(1, "a"));

        recorder.Values.Should().ContainSingle().Which.Should().Equal(new Change<Row, int>(ChangeReason.Add, 1, new Row(1, "A")));
    }

    [Fact]
    public void Transform_Replay_TransformsEachItemOnce()
    {
        _source.Edit(static u => u.AddOrUpdate([new Item(1, "a"), new Item(2, "b")]));

        using var recorder = _source.Connect().Transform(ToRow).Record();

        recorder.Values.Should().ContainSingle().Which.Select(static c => c.Current).Should().BeEquivalentTo([new Row(1, "A"), new Row(2, "B")]);
        _calls.Should().Be(2);
    }

    [Fact]
    public void Transform_Update_EmitsUpdateWhosePreviousIsThePreviouslyTransformedItem()
    {
        using var recorder = _source.Connect().Transform(ToRow).Record();
        _source.AddOrUpdate(new Item(1, "a"));
        var first = recorder.Values[0][0].Current;

        _source.AddOrUpdate(new Item(1, "b"));

        var update = recorder.Values[1].Should().ContainSingle().Subject;
        update.Reason.Should().Be(ChangeReason.Update);
        update.Current.Should().Be(new Row(1, "B"));
        update.Previous.Should().BeSameAs(first);
    }

    [Fact]
    public void Transform_Remove_EmitsTheStoredTransformedItemWithoutCallingTheSelector()
    {
        using var recorder = _source.Connect().Transform(ToRow).Record();
        _source.AddOrUpdate(new Item(1, "a"));
        var stored = recorder.Values[0][0].Current;
        _calls = 0;

        _source.Remove(1);

        var remove = recorder.Values[1].Should().ContainSingle().Subject;
        remove.Reason.Should().Be(ChangeReason.Remove);
        remove.Current.Should().BeSameAs(stored);
        _calls.Should().Be(0);
    }

    [Fact]
    public void Transform_Refresh_ReTransformsAndEmitsUpdate()
    {
        var item = new MutableItem(1, 10);
        using var source = new KeyedSource<MutableItem, int>(static i => i.Id);
        using var recorder = source.Connect().Transform(static i => i.Value * 2).Record();
        source.AddOrUpdate(item);

        item.Value = 21;
        source.Edit(static u => u.Refresh(1));

        recorder.Values[1].Should().Equal(new Change<int, int>(ChangeReason.Update, 1, 42, 20));
    }

    [Fact]
    public void Transform_KeyedSelector_ReceivesTheKey()
    {
        using var recorder = _source.Connect().Transform(static (item, key) => $"{key}:{item.Name}").Record();

        _source.AddOrUpdate(new Item(7, "x"));

        recorder.Values[0][0].Current.Should().Be("7:x");
    }

    [Fact]
    public void Transform_Batch_EmitsOneChangeSetInOrder()
    {
        _source.AddOrUpdate(new Item(1, "a"));
        using var recorder = _source.Connect().Transform(ToRow).Record();

        _source.Edit(static u =>
        {
            u.AddOrUpdate(new Item(2, "b"));
            u.AddOrUpdate(new Item(1, "c"));
            u.Remove(2);
            u.Refresh(1);
        });

        recorder.Values.Should().HaveCount(2);
        recorder.Values[1].Select(static c => c.ToString()).Should().Equal("Add 2", "Update 1", "Remove 2", "Update 1");
    }

    [Fact]
    public void Transform_SelectorThrows_EmitsOnErrorAndUnsubscribes()
    {
        using var subject = new Subject<IChangeSet<Item, int>>();
        var error = new InvalidOperationException("bad item");
        using var recorder = subject.Transform<Item, Row, int>(item => item.Id == 2 ? throw error : new Row(item.Id, item.Name)).Record();

        subject.OnNext(new ChangeSet<Item, int>([new Change<Item, int>(ChangeReason.Add, 1, new Item(1, "a"))]));
        subject.OnNext(new ChangeSet<Item, int>([new Change<Item, int>(ChangeReason.Add, 2, new Item(2, "b"))]));

        recorder.Values.Should().ContainSingle();
        recorder.Error.Should().BeSameAs(error);
        subject.HasObservers.Should().BeFalse();
        recorder.Violations.Should().BeEmpty();
    }

    [Fact]
    public void Transform_SourceErrors_ForwardsTheError()
    {
        using var subject = new Subject<IChangeSet<Item, int>>();
        using var recorder = subject.Transform(ToRow).Record();
        var error = new InvalidOperationException("upstream");

        subject.OnError(error);

        recorder.Error.Should().BeSameAs(error);
    }

    [Fact]
    public void Transform_SourceCompletes_Completes()
    {
        using var recorder = _source.Connect().Transform(ToRow).Record();

        _source.Dispose();

        recorder.IsCompleted.Should().BeTrue();
        recorder.Violations.Should().BeEmpty();
    }

    [Fact]
    public void Transform_Dispose_UnsubscribesFromTheSource()
    {
        using var subject = new Subject<IChangeSet<Item, int>>();
        var recorder = subject.Transform(ToRow).Record();

        recorder.Dispose();

        subject.HasObservers.Should().BeFalse();
    }
}
