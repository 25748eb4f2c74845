using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Reactive.Edits.ChangeSets;
using Reactive.Edits.Optimistic;
using Reactive.Edits.Testing;

namespace Reactive.Edits.Benchmarks;

/// <summary>
/// The cost of one change to an optimistic view of <see cref="Size"/> items: the library's incremental merge against a
/// naive merge that rebuilds the view list per change. Each side has its own authoritative source and edit set.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>AuthoritativeChange</c>: the server updates one item (one change in, one change out).</item>
/// <item><c>LibraryOwnTable_AuthoritativeChange</c>: the same merge fed by the same source through another observable, so
/// that it cannot read the source's table and keeps a copy of its own, as it does for any change-set stream that is not
/// a <see cref="KeyedSource{TObject, TKey}"/>'s. Beside the library's row it shows what reading the source's table saves.</item>
/// <item><c>SourceOnly_AuthoritativeChange</c>: the same change through the authoritative source alone, with a subscriber
/// and no merge: the floor that any merge sits on, since its input already pays for a dictionary of the view's size and
/// for a new item that outlives the next collections.</item>
/// <item><c>Dictionary_AuthoritativeChange</c>: a bare <see cref="Dictionary{TKey, TValue}"/> of the view's size taking
/// the new item, with nothing published: the floor of any in-memory keyed store that is handed a new object per change.
/// It shows how much of the growth with size belongs to the runtime (caches, and the garbage collector copying items that
/// outlive gen 0) rather than to any merge.</item>
/// <item><c>DictionaryPublish_AuthoritativeChange</c>: the least any keyed view must do per change: look the key up and
/// store the new item in a <see cref="Dictionary{TKey, TValue}"/> of the view's size, then publish that one change to one
/// observer. The merge's growth with size is judged against this floor's growth in the same run (see
/// <see cref="FloorGoals"/>), so that cache and collector effects that hit both cancel out.</item>
/// <item><c>DictionaryPublishAllocating_AuthoritativeChange</c>: the same floor, plus one short-lived object per change
/// of <see cref="LibraryExtraBytes"/>, what the library allocates per change beyond the floor's new item. Not a goal: it
/// shows how much of the growth with size comes from allocating that much per change in a large table's process, where
/// every collection copies the items changed since the last one (docs/benchmarks.md).</item>
/// <item><c>TwoTablesAllocating_AuthoritativeChange</c>: the allocating floor with the shape of the merge that keeps its
/// own table and none of its code: two tables of the view's size hold every row (the source's and the merge's copy),
/// the previous row is read to compare it with the new one (a view publishes no update whose current equals its
/// previous), and <see cref="OwnTableExtraBytes"/> of garbage per change. Not a goal: it shows what that shape costs at
/// each size, beside <c>LibraryOwnTable_AuthoritativeChange</c>. The library fed by the source itself has the shape of
/// <c>DictionaryPublishAllocating_AuthoritativeChange</c>: one table, the same bytes.</item>
/// <item><c>EditSettles</c>: one edit's whole life in the order the server sends it: request (the prediction appears),
/// the authoritative copy (the prediction is rebased), the acknowledgement (the confirmed item replaces it in place).</item>
/// </list>
/// Settle timers run on a virtual clock that never advances, so no real timer is involved.
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class OptimisticMergeBenchmarks
{
    /// <summary>The bytes the library fed by the source itself allocates per authoritative change beyond the new row (the
    /// view's change set of 56 bytes and two confirmed items of 40; the source lends its change set to a lone merge),
    /// measured by the allocation budget tests.</summary>
    public const int LibraryExtraBytes = 136;

    /// <summary>The bytes the merge keeping its own table allocates per change beyond the new row: the same, and a change set
    /// of the source's (56 bytes), which it gets anew for each change since it is not the source's subscriber.</summary>
    public const int OwnTableExtraBytes = 192;

    // A byte array's header and length take 24 bytes of its size.
    private const int ArrayOverhead = 24;

    private const string AuthoritativeChange = nameof(AuthoritativeChange);
    private const string EditSettles = nameof(EditSettles);

    private Side? _library;
    private Side? _libraryOwnTable;
    private Side? _naive;
    private Side? _sourceOnly;
    private Dictionary<int, Row>? _table;
    private Dictionary<int, Row>? _floorTable;
    private Dictionary<int, Row>? _secondTable;
    private Subject<Row>? _floorChanges;
    private IDisposable? _floorSubscription;
    private byte[]? _garbage;
    private int _tableRev;
    private int _next;
    private long _seen;

    [Params(1_000, 10_000, 100_000)]
    public int Size { get; set; }

    /// <summary>Gets or sets the order the keys are changed in: scattered (every change touches cold memory) or sequential (neighbouring keys, warm caches).</summary>
    [Params(KeyOrder.Scattered, KeyOrder.Sequential)]
    public KeyOrder Keys { get; set; }

    // Each benchmark builds only its own side, so that the other side's items do not add to the heap that the
    // garbage collector walks while this one is measured.
    [GlobalSetup(Targets = [nameof(Library_AuthoritativeChange), nameof(Library_EditSettles)])]
    public void SetupLibrary() => _library = LibrarySide(static source => source.Connect());

    // Select hides the source from the merge, which then copies what it needs of it into a table of its own.
    [GlobalSetup(Target = nameof(LibraryOwnTable_AuthoritativeChange))]
    public void SetupLibraryOwnTable() => _libraryOwnTable = LibrarySide(static source => source.Connect().Select(static changes => changes));

    [GlobalSetup(Targets = [nameof(Naive_AuthoritativeChange), nameof(Naive_EditSettles)])]
    public void SetupNaive()
    {
        _naive = new Side(Size);
        var naive = new NaiveOptimisticView(_naive.Source.Connect(), _naive.Edits.Connect());
        _naive.Bind(naive);
        _naive.Bind(naive.View.Subscribe(view => _seen += view.Count));
    }

    [GlobalSetup(Target = nameof(SourceOnly_AuthoritativeChange))]
    public void SetupSourceOnly()
    {
        _sourceOnly = new Side(Size);
        _sourceOnly.Bind(_sourceOnly.Source.Connect().Subscribe(changes =>
        {
            foreach (var change in changes)
            {
                _seen += change.Current.Rev;
            }
        }));
    }

    [GlobalSetup(Target = nameof(Dictionary_AuthoritativeChange))]
    public void SetupDictionary()
    {
        _table = new Dictionary<int, Row>(Size);
        for (var key = 0; key < Size; key++)
        {
            _table[key] = new Row(key, "item " + key, 1);
        }
    }

    [GlobalSetup(Targets = [nameof(DictionaryPublish_AuthoritativeChange), nameof(DictionaryPublishAllocating_AuthoritativeChange)])]
    public void SetupDictionaryPublish()
    {
        _floorTable = new Dictionary<int, Row>(Size);
        for (var key = 0; key < Size; key++)
        {
            _floorTable[key] = new Row(key, "item " + key, 1);
        }

        // One observer that reads the item, as the library's subscriber reads each change.
        _floorChanges = new Subject<Row>();
        _floorSubscription = _floorChanges.Subscribe(row => _seen += row.Rev);
    }

    // Only the shape's row builds the second table, so that it does not add to the heap the floors are measured in.
    [GlobalSetup(Target = nameof(TwoTablesAllocating_AuthoritativeChange))]
    public void SetupTwoTables()
    {
        SetupDictionaryPublish();

        // Both tables hold the same row, as the source and a merge keeping its own copy do.
        _secondTable = new Dictionary<int, Row>(_floorTable!);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _library?.Dispose();
        _libraryOwnTable?.Dispose();
        _naive?.Dispose();
        _sourceOnly?.Dispose();
        _floorSubscription?.Dispose();
        _floorChanges?.Dispose();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(AuthoritativeChange)]
    public long Naive_AuthoritativeChange() => _naive!.ChangeOne(NextKey());

    [Benchmark]
    [BenchmarkCategory(AuthoritativeChange)]
    public long Library_AuthoritativeChange() => _library!.ChangeOne(NextKey());

    [Benchmark]
    [BenchmarkCategory(AuthoritativeChange)]
    public long LibraryOwnTable_AuthoritativeChange() => _libraryOwnTable!.ChangeOne(NextKey());

    [Benchmark]
    [BenchmarkCategory(AuthoritativeChange)]
    public long SourceOnly_AuthoritativeChange() => _sourceOnly!.ChangeOne(NextKey());

    [Benchmark]
    [BenchmarkCategory(AuthoritativeChange)]
    public long Dictionary_AuthoritativeChange()
    {
        var key = NextKey();
        var row = new Row(key, "changed", ++_tableRev);
        _table![key] = row;
        return row.Rev;
    }

    [Benchmark]
    [BenchmarkCategory(AuthoritativeChange)]
    public long DictionaryPublish_AuthoritativeChange()
    {
        var key = NextKey();
        var row = new Row(key, "changed", ++_tableRev);

        // One hash of the key both finds the previous item (a view must know add from update) and stores the new one.
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_floorTable!, key, out _);
        slot = row;
        _floorChanges!.OnNext(row);
        return row.Rev;
    }

    [Benchmark]
    [BenchmarkCategory(AuthoritativeChange)]
    public long DictionaryPublishAllocating_AuthoritativeChange()
    {
        // Kept in a field until the next change, so that the runtime cannot place it on the stack: like the library's
        // change sets and items, it is garbage by the next change.
        _garbage = new byte[LibraryExtraBytes - ArrayOverhead];
        return DictionaryPublish_AuthoritativeChange();
    }

    [Benchmark]
    [BenchmarkCategory(AuthoritativeChange)]
    public long TwoTablesAllocating_AuthoritativeChange()
    {
        _garbage = new byte[OwnTableExtraBytes - ArrayOverhead];
        var key = NextKey();
        var row = new Row(key, "changed", ++_tableRev);

        // The source's table takes the row, then the merge's copy: its previous row is read to compare it with the new one.
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_floorTable!, key, out _);
        slot = row;
        ref var second = ref CollectionsMarshal.GetValueRefOrAddDefault(_secondTable!, key, out _);
        var previous = second;
        second = row;
        if (!EqualityComparer<Row>.Default.Equals(previous, row))
        {
            _floorChanges!.OnNext(row);
        }

        return row.Rev;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(EditSettles)]
    public long Naive_EditSettles() => _naive!.SettleOne(NextKey());

    [Benchmark]
    [BenchmarkCategory(EditSettles)]
    public long Library_EditSettles() => _library!.SettleOne(NextKey());

    private Side LibrarySide(Func<KeyedSource<Row, int>, IObservable<IChangeSet<Row, int>>> connect)
    {
        var side = new Side(Size);
        var options = new OptimisticOptions<Row, int, RowEdit>
        {
            KeyOf = static edit => edit.Value.Key,
            Predict = static (edit, current) => current is null ? new Row(edit.Value.Key, edit.Value.Text, 0) : current with { Text = edit.Value.Text },
        };
        side.Bind(connect(side.Source).MergeOptimistic(side.Edits, options).Subscribe(changes =>
        {
            foreach (var change in changes)
            {
                _seen += change.Current.Item.Rev;
            }
        }));
        return side;
    }

    // Scattered: a prime stride, so that consecutive changes land far apart in every hash table (the worst case for the
    // caches, and the realistic one for large views). Sequential: neighbouring keys, whose entries are neighbours in memory.
    private int NextKey() => _next = (_next + (Keys == KeyOrder.Scattered ? 7919 : 1)) % Size;

    private sealed class Side : IDisposable
    {
        private readonly List<IDisposable> _owned = [];
        private int _rev;

        public Side(int size)
        {
            Source = new KeyedSource<Row, int>(static row => row.Key);
            Edits = new EditSet<RowEdit>(EditSetOptions.Default, new TestClock());
            Source.Edit(updater =>
            {
                for (var key = 0; key < size; key++)
                {
                    updater.AddOrUpdate(new Row(key, "item " + key, 1));
                }
            });
        }

        public KeyedSource<Row, int> Source { get; }

        public EditSet<RowEdit> Edits { get; }

        public void Bind(IDisposable subscription) => _owned.Add(subscription);

        public long ChangeOne(int key)
        {
            Source.AddOrUpdate(new Row(key, "changed", ++_rev));
            return _rev;
        }

        public long SettleOne(int key)
        {
            var edit = Edits.Request(new RowEdit(key, "edited"));
            Source.AddOrUpdate(new Row(key, "edited", ++_rev));
            edit.Token.Accept();
            return _rev;
        }

        public void Dispose()
        {
            foreach (var subscription in _owned)
            {
                subscription.Dispose();
            }

            Edits.Dispose();
            Source.Dispose();
        }
    }
}

/// <summary>The order in which the merge benchmarks change keys.</summary>
public enum KeyOrder
{
    Scattered,
    Sequential,
}
