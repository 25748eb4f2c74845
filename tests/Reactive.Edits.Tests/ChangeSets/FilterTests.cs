using System.Reactive.Subjects;
using Reactive.Edits.ChangeSets;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Tests.ChangeSets;

public sealed class FilterTests
{
    private readonly KeyedSource<Item, int> _source = new(static item => item.Id);

    private static bool IsHigh(Item item) => item.Score >= 10;

    [Fact]
    public void Filter_NullArguments_Throw()
    {
        FluentActions.Invoking(() => ChangeSetObservable.Filter<Item, int>(null!, IsHigh)).Should().Throw<ArgumentNullException>().WithParameterName("source");
        FluentActions.Invoking(() => _source.Connect().Filter(null!)).Should().Throw<ArgumentNullException>().WithParameterName("predicate");
    }

    [Fact]
    public void Filter_Add_EmitsOnlyPassingItems()
    {
        using var recorder = _source.Connect().Filter(IsHigh).Record();

        _source.AddOrUpdate(new Item(1, "low", 1));
        _source.AddOrUpdate(new Item(2, "high", 10));

        recorder.Values.Should().ContainSingle().Which.Should().Equal(new Change<Item, int>(ChangeReason.Add, 2, new Item(2, "high", 10)));
    }

    [Fact]
    public void Filter_UpdateStillPassing_EmitsUpdate()
    {
        _source.AddOrUpdate(new Item(1, "a", 10));
        using var recorder = _source.Connect().Filter(IsHigh).Record();

        _source.AddOrUpdate(new Item(1, "b", 11));

        recorder.Values[1].Should().Equal(new Change<Item, int>(ChangeReason.Update, 1, new Item(1, "b", 11), new Item(1, "a", 10)));
    }

    [Fact]
    public void Filter_UpdateStopsPassing_EmitsRemoveWithTheNewItemAndTheOneThatPassed()
    {
        _source.AddOrUpdate(new Item(1, "a", 10));
        using var recorder = _source.Connect().Filter(IsHigh).Record();

        _source.AddOrUpdate(new Item(1, "b", 1));

        recorder.Values[1].Should().Equal(new Change<Item, int>(ChangeReason.Remove, 1, new Item(1, "b", 1), new Item(1, "a", 10)));
    }

    [Fact]
    public void Filter_UpdateStartsPassing_EmitsAdd()
    {
        _source.AddOrUpdate(new Item(1, "a", 1));
        using var recorder = _source.Connect().Filter(IsHigh).Record();

        _source.AddOrUpdate(new Item(1, "b", 10));

        recorder.Values.Should().ContainSingle().Which.Should().Equal(new Change<Item, int>(ChangeReason.Add, 1, new Item(1, "b", 10)));
    }

    [Fact]
    public void Filter_UpdateNeverPassing_EmitsNothing()
    {
        _source.AddOrUpdate(new Item(1, "a", 1));
        using var recorder = _source.Connect().Filter(IsHigh).Record();

        _source.AddOrUpdate(new Item(1, "b", 2));

        recorder.Values.Should().BeEmpty();
    }

    [Fact]
    public void Filter_RemoveOfKeptItem_ForwardsTheRemove()
    {
        _source.AddOrUpdate(new Item(1, "a", 10));
        using var recorder = _source.Connect().Filter(IsHigh).Record();

        _source.Remove(1);

        recorder.Values[1].Should().Equal(new Change<Item, int>(ChangeReason.Remove, 1, new Item(1, "a", 10)));
    }

    [Fact]
    public void Filter_RemoveOfFilteredOutItem_EmitsNothing()
    {
        _source.AddOrUpdate(new Item(1, "a", 1));
        using var recorder = _source.Connect().Filter(IsHigh).Record();

        _source.Remove(1);

        recorder.Values.Should().BeEmpty();
    }

    [Theory]
    [InlineData(10, 20, "Refresh 1")]
    [InlineData(10, 1, "Remove 1")]
    [InlineData(1, 10, "Add 1")]
    [InlineData(1, 2, null)]
    public void Filter_Refresh_ReEvaluatesThePredicate(int before, int after, string? expected)
    {
        var item = new MutableItem(1, before);
        using var source = new KeyedSource<MutableItem, int>(static i => i.Id);
        source.AddOrUpdate(item);
        var emitted = new List<Change<MutableItem, int>>();
        using var subscription = source.Connect().Filter(static i => i.Value >= 10).Subscribe(changes => emitted.AddRange(changes));
        emitted.Clear();

        item.Value = after;
        source.Edit(static u => u.Refresh(1));

        emitted.Select(static c => c.ToString()).Should().Equal(expected is null ? [] : [expected]);
        foreach (var change in emitted)
        {
            change.Current.Should().BeSameAs(item);
        }
    }

    [Fact]
    public void Filter_BatchWithNoPassingChange_EmitsNothing()
    {
        using var recorder = _source.Connect().Filter(IsHigh).Record();

        _source.Edit(static u =>
        {
            u.AddOrUpdate(new Item(1, "a", 1));
            u.AddOrUpdate(new Item(2, "b", 2));
        });

        recorder.Values.Should().BeEmpty();
    }

    [Fact]
    public void Filter_Batch_EmitsOneChangeSetWithThePassingChangesInOrder()
    {
        _source.AddOrUpdate(new Item(1, "a", 10));
        using var recorder = _source.Connect().Filter(IsHigh).Record();

        _source.Edit(static u =>
        {
            u.AddOrUpdate(new Item(2, "b", 10));
            u.AddOrUpdate(new Item(3, "c", 1));
            u.AddOrUpdate(new Item(1, "a", 0));
            u.AddOrUpdate(new Item(3, "c", 30));
        });

        recorder.Values.Should().HaveCount(2);
        recorder.Values[1].Select(static c => c.ToString()).Should().Equal("Add 2", "Remove 1", "Add 3");
    }

    [Fact]
    public void Filter_PredicateThrows_EmitsOnErrorAndUnsubscribes()
    {
        using var subject = new Subject<IChangeSet<Item, int>>();
        var error = new InvalidOperationException("bad predicate");
        using var recorder = subject.Filter(_ => throw error).Record();

        subject.OnNext(new ChangeSet<Item, int>([new Change<Item, int>(ChangeReason.Add, 1, new Item(1, "a"))]));

        recorder.Values.Should().BeEmpty();
        recorder.Error.Should().BeSameAs(error);
        subject.HasObservers.Should().BeFalse();
    }

    [Fact]
    public void Filter_SourceErrorsOrCompletes_Forwards()
    {
        using var failing = new Subject<IChangeSet<Item, int>>();
        using var failed = failing.Filter(IsHigh).Record();
        var error = new InvalidOperationException("upstream");
        using var completed = _source.Connect().Filter(IsHigh).Record();

        failing.OnError(error);
        _source.Dispose();

        failed.Error.Should().BeSameAs(error);
        completed.IsCompleted.Should().BeTrue();
    }

    [Fact]
    public void Filter_Dispose_UnsubscribesFromTheSource()
    {
        using var subject = new Subject<IChangeSet<Item, int>>();
        var recorder = subject.Filter(IsHigh).Record();

        recorder.Dispose();

        subject.HasObservers.Should().BeFalse();
    }
}
