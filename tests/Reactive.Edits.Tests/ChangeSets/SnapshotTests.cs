using System.Reactive.Subjects;
using Reactive.Edits.ChangeSets;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Tests.ChangeSets;

public sealed class SnapshotTests
{
    private readonly KeyedSource<Item, int> _source = new(static item => item.Id);

    [Fact]
    public void Snapshots_NullSource_Throws()
    {
        FluentActions.Invoking(() => ChangeSetObservable.ToCollection<Item, int>(null!)).Should().Throw<ArgumentNullException>().WithParameterName("source");
        FluentActions.Invoking(() => ChangeSetObservable.CountChanged<Item, int>(null!)).Should().Throw<ArgumentNullException>().WithParameterName("source");
    }

    [Fact]
    public void ToCollection_EmitsTheCurrentItemsAfterEveryChangeSet()
    {
        _source.AddOrUpdate(new Item(1, "a"));
        using var recorder = _source.Connect().ToCollection().Record();

        _source.Edit(static u =>
        {
            u.AddOrUpdate(new Item(2, "b"));
            u.AddOrUpdate(new Item(3, "c"));
        });
        _source.AddOrUpdate(new Item(1, "a2"));
        _source.Remove(2);
        _source.Edit(static u => u.Refresh(1));
        _source.Edit(static u => u.Clear());

        recorder.Values.Should().HaveCount(6);
        recorder.Values[0].Should().BeEquivalentTo([new Item(1, "a")]);
        recorder.Values[1].Should().BeEquivalentTo([new Item(1, "a"), new Item(2, "b"), new Item(3, "c")]);
        recorder.Values[2].Should().BeEquivalentTo([new Item(1, "a2"), new Item(2, "b"), new Item(3, "c")]);
        recorder.Values[3].Should().BeEquivalentTo([new Item(1, "a2"), new Item(3, "c")]);
        recorder.Values[4].Should().BeEquivalentTo([new Item(1, "a2"), new Item(3, "c")]);
        recorder.Values[5].Should().BeEmpty();
    }

    [Fact]
    public void ToCollection_EarlierSnapshots_NeverChange()
    {
        using var recorder = _source.Connect().ToCollection().Record();
        _source.AddOrUpdate(new Item(1, "a"));
        var first = recorder.Values[0];

        _source.AddOrUpdate(new Item(2, "b"));
        _source.Remove(1);

        first.Should().Equal(new Item(1, "a"));
        FluentActions.Invoking(() => ((ICollection<Item>)first).Clear()).Should().Throw<NotSupportedException>();
    }

    [Fact]
    public void ToCollection_SourceErrorsOrCompletes_Forwards()
    {
        using var subject = new Subject<IChangeSet<Item, int>>();
        using var failed = subject.ToCollection().Record();
        using var completed = _source.Connect().ToCollection().Record();
        var error = new InvalidOperationException("upstream");

        subject.OnError(error);
        _source.Dispose();

        failed.Error.Should().BeSameAs(error);
        completed.IsCompleted.Should().BeTrue();
    }

    [Fact]
    public void ToCollection_Dispose_UnsubscribesFromTheSource()
    {
        using var subject = new Subject<IChangeSet<Item, int>>();
        var recorder = subject.ToCollection().Record();

        recorder.Dispose();

        subject.HasObservers.Should().BeFalse();
    }

    [Fact]
    public void CountChanged_EmitsTheFirstCountThenOnlyChanges()
    {
        _source.Edit(static u => u.AddOrUpdate([new Item(1, "a"), new Item(2, "b")]));
        using var recorder = _source.Connect().CountChanged().Record();

        _source.AddOrUpdate(new Item(3, "c"));
        _source.AddOrUpdate(new Item(3, "c2"));
        _source.Edit(static u => u.Refresh(1));
        _source.Edit(static u =>
        {
            u.Remove(1);
            u.AddOrUpdate(new Item(4, "d"));
        });
        _source.Remove(2);
        _source.Edit(static u => u.Clear());

        recorder.Values.Should().Equal(2, 3, 2, 0);
    }

    [Fact]
    public void CountChanged_FirstChangeSetEmpty_EmitsZero()
    {
        using var subject = new Subject<IChangeSet<Item, int>>();
        using var recorder = subject.CountChanged().Record();

        subject.OnNext(ChangeSet<Item, int>.Empty);
        subject.OnNext(ChangeSet<Item, int>.Empty);

        recorder.Values.Should().Equal(0);
    }

    [Fact]
    public void CountChanged_AfterFilter_CountsTheKeptItems()
    {
        using var recorder = _source.Connect().Filter(static i => i.Score > 0).CountChanged().Record();

        _source.AddOrUpdate(new Item(1, "a", 1));
        _source.AddOrUpdate(new Item(2, "b", 0));
        _source.AddOrUpdate(new Item(2, "b", 5));
        _source.AddOrUpdate(new Item(1, "a", 0));

        recorder.Values.Should().Equal(1, 2, 1);
    }

    [Fact]
    public void CountChanged_SourceErrorsOrCompletes_Forwards()
    {
        using var subject = new Subject<IChangeSet<Item, int>>();
        using var failed = subject.CountChanged().Record();
        using var completed = _source.Connect().CountChanged().Record();
        var error = new InvalidOperationException("upstream");

        subject.OnError(error);
        _source.Dispose();

        failed.Error.Should().BeSameAs(error);
        completed.IsCompleted.Should().BeTrue();
    }
}
