using System.Collections.ObjectModel;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using Reactive.Edits.ChangeSets;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Tests.ChangeSets;

public sealed class SortAndBindTests
{
    // Total: by score, then by id.
    private static readonly IComparer<Item> ByScoreThenId = Comparer<Item>.Create(static (a, b) =>
    {
        var order = a.Score.CompareTo(b.Score);
        return order != 0 ? order : a.Id.CompareTo(b.Id);
    });

    // Not total: items with the same score compare equal.
    private static readonly IComparer<Item> ByScore = Comparer<Item>.Create(static (a, b) => a.Score.CompareTo(b.Score));

    private readonly KeyedSource<Item, int> _source = new(static item => item.Id);

    private static int[] Ids(IEnumerable<Item> items) => [.. items.Select(static i => i.Id)];

    [Fact]
    public void SortAndBind_NullArguments_Throw()
    {
        var source = _source.Connect();
        var list = new List<Item>();

        FluentActions.Invoking(() => ChangeSetObservable.SortAndBind<Item, int>(null!, list, ByScore)).Should().Throw<ArgumentNullException>().WithParameterName("source");
        FluentActions.Invoking(() => source.SortAndBind(null!, ByScore)).Should().Throw<ArgumentNullException>().WithParameterName("target");
        FluentActions.Invoking(() => source.SortAndBind(list, null!)).Should().Throw<ArgumentNullException>().WithParameterName("comparer");
        FluentActions.Invoking(() => ChangeSetObservable.ToSortedList<Item, int>(null!, ByScore)).Should().Throw<ArgumentNullException>().WithParameterName("source");
        FluentActions.Invoking(() => source.ToSortedList(null!)).Should().Throw<ArgumentNullException>().WithParameterName("comparer");
    }

    [Fact]
    public void SortAndBind_FirstChangeSet_AppendsTheItemsSorted()
    {
        _source.Edit(static u => u.AddOrUpdate([new Item(1, "a", 30), new Item(2, "b", 10), new Item(3, "c", 20)]));
        var list = new LoggingList<Item>();

        using var binding = _source.Connect().SortAndBind(list, ByScoreThenId).Subscribe();

        Ids(list).Should().Equal(2, 3, 1);
        list.Log.Should().Equal("Clear", "Insert 0", "Insert 1", "Insert 2");
    }

    [Fact]
    public void SortAndBind_Subscribe_ClearsWhatTheListHeld()
    {
        var list = new List<Item> { new(9, "stale") };

        using var binding = _source.Connect().SortAndBind(list, ByScoreThenId).Subscribe();

        list.Should().BeEmpty();
    }

    [Fact]
    public void SortAndBind_Add_InsertsAtTheSortedPosition()
    {
        _source.Edit(static u => u.AddOrUpdate([new Item(1, "a", 10), new Item(2, "b", 30)]));
        var list = new LoggingList<Item>();
        using var binding = _source.Connect().SortAndBind(list, ByScoreThenId).Subscribe();
        list.Log.Clear();

        _source.AddOrUpdate(new Item(3, "c", 20));

        Ids(list).Should().Equal(1, 3, 2);
        list.Log.Should().Equal("Insert 1");
    }

    [Fact]
    public void SortAndBind_UpdateKeepingItsPosition_SetsTheItemInPlace()
    {
        _source.Edit(static u => u.AddOrUpdate([new Item(1, "a", 10), new Item(2, "b", 20), new Item(3, "c", 30)]));
        var collection = new ObservableCollection<Item>();
        using var binding = _source.Connect().SortAndBind(collection, ByScoreThenId).Subscribe();
        var log = CollectionChangedLog.Attach(collection);

        _source.AddOrUpdate(new Item(2, "renamed", 25));

        log.Should().Equal("Replace 1");
        collection[1].Should().Be(new Item(2, "renamed", 25));
    }

    [Fact]
    public void SortAndBind_UpdateThatMoves_ReplacesThenMovesAnObservableCollection()
    {
        _source.Edit(static u => u.AddOrUpdate([new Item(1, "a", 10), new Item(2, "b", 20), new Item(3, "c", 30)]));
        var collection = new ObservableCollection<Item>();
        using var binding = _source.Connect().SortAndBind(collection, ByScoreThenId).Subscribe();
        var log = CollectionChangedLog.Attach(collection);

        _source.AddOrUpdate(new Item(1, "a", 40));

        log.Should().Equal("Replace 0", "Move 0->2");
        Ids(collection).Should().Equal(2, 3, 1);
        collection[2].Score.Should().Be(40);
    }

    [Fact]
    public void SortAndBind_UpdateThatMoves_RemovesAndInsertsInAPlainList()
    {
        _source.Edit(static u => u.AddOrUpdate([new Item(1, "a", 10), new Item(2, "b", 20), new Item(3, "c", 30)]));
        var list = new LoggingList<Item>();
        using var binding = _source.Connect().SortAndBind(list, ByScoreThenId).Subscribe();
        list.Log.Clear();

        _source.AddOrUpdate(new Item(3, "c", 0));

        list.Log.Should().Equal("RemoveAt 2", "Insert 0");
        Ids(list).Should().Equal(3, 1, 2);
    }

    [Fact]
    public void SortAndBind_Remove_RemovesAtItsPosition()
    {
        _source.Edit(static u => u.AddOrUpdate([new Item(1, "a", 10), new Item(2, "b", 20), new Item(3, "c", 30)]));
        var list = new LoggingList<Item>();
        using var binding = _source.Connect().SortAndBind(list, ByScoreThenId).Subscribe();
        list.Log.Clear();

        _source.Remove(2);

        list.Log.Should().Equal("RemoveAt 1");
        Ids(list).Should().Equal(1, 3);
    }

    [Fact]
    public void SortAndBind_RemoveEverything_ClearsOnce()
    {
        _source.Edit(static u => u.AddOrUpdate([new Item(1, "a", 10), new Item(2, "b", 20), new Item(3, "c", 30)]));
        var collection = new ObservableCollection<Item>();
        using var binding = _source.Connect().SortAndBind(collection, ByScoreThenId).Subscribe();
        var log = CollectionChangedLog.Attach(collection);

        _source.Edit(static u => u.Clear());

        log.Should().Equal("Reset");
        collection.Should().BeEmpty();

        _source.AddOrUpdate(new Item(4, "d", 5));
        Ids(collection).Should().Equal(4);
    }

    [Fact]
    public void SortAndBind_RefreshOfAnUnchangedItem_LeavesTheListAlone()
    {
        _source.Edit(static u => u.AddOrUpdate([new Item(1, "a", 10), new Item(2, "b", 20)]));
        var list = new LoggingList<Item>();
        using var binding = _source.Connect().SortAndBind(list, ByScoreThenId).Subscribe();
        list.Log.Clear();

        _source.Edit(static u => u.Refresh(1));

        list.Log.Should().BeEmpty();
    }

    [Fact]
    public void SortAndBind_RefreshOfAMutatedItem_MovesIt()
    {
        var a = new MutableItem(1, 10);
        var b = new MutableItem(2, 20);
        var c = new MutableItem(3, 30);
        using var source = new KeyedSource<MutableItem, int>(static i => i.Id);
        source.Edit(u => u.AddOrUpdate([a, b, c]));
        var collection = new ObservableCollection<MutableItem>();
        using var binding = source.Connect()
            .SortAndBind(collection, Comparer<MutableItem>.Create(static (x, y) => x.Value.CompareTo(y.Value)))
            .Subscribe();
        var log = CollectionChangedLog.Attach(collection);

        a.Value = 25;
        source.Edit(static u => u.Refresh(1));

        log.Should().Equal("Move 0->1");
        collection.Should().Equal(b, a, c);
    }

    [Fact]
    public void SortAndBind_EqualItems_KeepTheOrderTheirKeysWereAdded()
    {
        var list = new List<Item>();
        using var binding = _source.Connect().SortAndBind(list, ByScore).Subscribe();

        _source.AddOrUpdate(new Item(3, "c", 5));
        _source.AddOrUpdate(new Item(1, "a", 5));
        _source.AddOrUpdate(new Item(2, "b", 5));
        _source.AddOrUpdate(new Item(0, "low", 1));

        Ids(list).Should().Equal(0, 3, 1, 2);

        // An update keeps its key's place among equals.
        _source.AddOrUpdate(new Item(3, "c2", 5));
        Ids(list).Should().Equal(0, 3, 1, 2);
        list[1].Name.Should().Be("c2");

        // Leaving the tie and coming back keeps the place too: the key was not re-added.
        _source.AddOrUpdate(new Item(1, "a", 9));
        _source.AddOrUpdate(new Item(1, "a", 5));
        Ids(list).Should().Equal(0, 3, 1, 2);

        // A key removed and added again goes after its equals.
        _source.Remove(3);
        _source.AddOrUpdate(new Item(3, "c3", 5));
        Ids(list).Should().Equal(0, 1, 2, 3);
    }

    [Fact]
    public void SortAndBind_EqualItemsInTheFirstBatch_KeepTheirOrderInTheBatch()
    {
        _source.Edit(static u => u.AddOrUpdate([new Item(5, "e", 1), new Item(4, "d", 1), new Item(9, "low", 0), new Item(6, "f", 1)]));
        var list = new List<Item>();

        using var binding = _source.Connect().SortAndBind(list, ByScore).Subscribe();

        Ids(list).Should().Equal(9, 5, 4, 6);
    }

    [Fact]
    public void SortAndBind_PassesTheChangeSetsOnAfterApplyingThem()
    {
        var list = new List<Item>();
        var countsSeen = new List<int>();
        using var recorder = _source.Connect()
            .SortAndBind(list, ByScoreThenId)
            .Do(_ => countsSeen.Add(list.Count))
            .Record();

        _source.AddOrUpdate(new Item(1, "a"));
        _source.AddOrUpdate(new Item(2, "b"));

        recorder.Values.Should().HaveCount(2);
        recorder.Values[1].Should().Equal(new Change<Item, int>(ChangeReason.Add, 2, new Item(2, "b")));
        countsSeen.Should().Equal(1, 2);
    }

    [Fact]
    public void SortAndBind_ComparerThrows_EmitsOnError()
    {
        var list = new List<Item>();
        var error = new InvalidOperationException("cannot compare");
        using var recorder = _source.Connect()
            .SortAndBind(list, Comparer<Item>.Create((a, b) => a.Id == 2 || b.Id == 2 ? throw error : a.Id.CompareTo(b.Id)))
            .Record();
        _source.AddOrUpdate(new Item(1, "a"));

        _source.AddOrUpdate(new Item(2, "b"));

        recorder.Error.Should().BeSameAs(error);
        recorder.Values.Should().ContainSingle();
        _source.AddOrUpdate(new Item(3, "c"));
        recorder.Values.Should().ContainSingle();
        recorder.Violations.Should().BeEmpty();
    }

    [Fact]
    public void SortAndBind_SourceCompletesOrIsDisposed_TheListKeepsItsItems()
    {
        var completedList = new List<Item>();
        using var completed = _source.Connect().SortAndBind(completedList, ByScoreThenId).Record();
        var disposedList = new List<Item>();
        var disposed = _source.Connect().SortAndBind(disposedList, ByScoreThenId).Record();
        _source.AddOrUpdate(new Item(1, "a"));

        disposed.Dispose();
        _source.AddOrUpdate(new Item(2, "b"));
        _source.Dispose();

        completed.IsCompleted.Should().BeTrue();
        Ids(completedList).Should().Equal(1, 2);
        Ids(disposedList).Should().Equal(1);
    }

    [Fact]
    public void SortAndBind_SourceErrors_ForwardsTheError()
    {
        using var subject = new Subject<IChangeSet<Item, int>>();
        using var recorder = subject.SortAndBind(new List<Item>(), ByScore).Record();
        var error = new InvalidOperationException("upstream");

        subject.OnError(error);

        recorder.Error.Should().BeSameAs(error);
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(100_000)]
    public void SortAndBind_OneChange_CostsLogarithmicallyManyComparisons(int size)
    {
        var comparer = new CountingComparer<Item>(ByScoreThenId);
        _source.Edit(u =>
        {
            for (var i = 0; i < size; i++)
            {
                u.AddOrUpdate(new Item(i, "x", i * 2));
            }
        });
        var list = new List<Item>();
        using var binding = _source.Connect().SortAndBind(list, comparer).Subscribe();
        var bound = Math.Ceiling(Math.Log2(size)) + 3;

        comparer.Comparisons = 0;
        _source.AddOrUpdate(new Item(size, "new", size + 1));
        var add = comparer.Comparisons;

        comparer.Comparisons = 0;
        _source.AddOrUpdate(new Item(size, "moved", 3));
        var move = comparer.Comparisons;

        comparer.Comparisons = 0;
        _source.AddOrUpdate(new Item(size, "in place", 3));
        var inPlace = comparer.Comparisons;

        comparer.Comparisons = 0;
        _source.Remove(size);
        var remove = comparer.Comparisons;

        add.Should().BeLessThanOrEqualTo((int)bound);
        move.Should().BeLessThanOrEqualTo((int)(3 * bound));
        inPlace.Should().BeLessThanOrEqualTo((int)(bound + 2));
        remove.Should().BeLessThanOrEqualTo((int)bound);
        list.Should().HaveCount(size);
    }

    [Fact]
    public void ToSortedList_EmitsASortedImmutableSnapshotPerChangeSet()
    {
        using var recorder = _source.Connect().ToSortedList(ByScoreThenId).Record();

        _source.AddOrUpdate(new Item(1, "a", 20));
        _source.Edit(static u =>
        {
            u.AddOrUpdate(new Item(2, "b", 10));
            u.AddOrUpdate(new Item(3, "c", 30));
        });
        _source.AddOrUpdate(new Item(1, "a", 40));
        _source.Remove(3);
        _source.Edit(static u => u.Refresh(2));

        recorder.Values.Select(Ids).Should().BeEquivalentTo(
            [new[] { 1 }, [2, 1, 3], [2, 3, 1], [2, 1], [2, 1]],
            static options => options.WithStrictOrdering());
        recorder.Values[1].Should().NotBeSameAs(recorder.Values[2]);
        FluentActions.Invoking(() => ((IList<Item>)recorder.Values[0]).Add(new Item(9, "z"))).Should().Throw<NotSupportedException>();
    }

    [Fact]
    public void ToSortedList_EqualItems_KeepTheOrderTheirKeysWereAdded()
    {
        using var recorder = _source.Connect().ToSortedList(ByScore).Record();

        _source.AddOrUpdate(new Item(2, "b", 1));
        _source.AddOrUpdate(new Item(1, "a", 1));

        Ids(recorder.Last).Should().Equal(2, 1);
    }

    [Fact]
    public void ToSortedList_ComparerThrows_EmitsOnError()
    {
        var error = new InvalidOperationException("cannot compare");
        using var recorder = _source.Connect().ToSortedList(Comparer<Item>.Create((_, _) => throw error)).Record();

        _source.Edit(static u => u.AddOrUpdate([new Item(1, "a"), new Item(2, "b")]));

        recorder.Error.Should().BeSameAs(error);
        recorder.Values.Should().BeEmpty();
    }

    [Fact]
    public void ToSortedList_SourceCompletes_Completes()
    {
        using var recorder = _source.Connect().ToSortedList(ByScore).Record();

        _source.Dispose();

        recorder.IsCompleted.Should().BeTrue();
    }
}
