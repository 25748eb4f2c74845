using System.Reactive.Subjects;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Reactive.Edits.ChangeSets;

namespace Reactive.Edits.Benchmarks;

/// <summary>
/// The keyed change-set source with one subscriber: <see cref="Updates"/> replacements made one change set each or as
/// one batch, against a dictionary plus a <see cref="Subject{T}"/>; and subscribe/dispose churn against a bare subject.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ChangeSetSourceBenchmarks
{
    public const int Updates = 1_000;

    private const string Update = nameof(Update);
    private const string Churn = nameof(Churn);

    private readonly Row[] _rows = new Row[Updates];
    private readonly Dictionary<int, Row> _plainItems = [];
    private readonly Subject<Row> _plainChanges = new();
    private readonly Subject<Row> _churnSubject = new();
    private readonly KeyedSource<Row, int> _source = new(static row => row.Key);
    private readonly KeyedSource<Row, int> _churnSource = new(static row => row.Key);
    private readonly IObserver<Row> _rowObserver;
    private readonly IObserver<IChangeSet<Row, int>> _changeObserver;
    private readonly Action<ISourceUpdater<Row, int>> _batch;
    private IDisposable _sourceSubscription = null!;
    private IDisposable _plainSubscription = null!;
    private IDisposable _churnSubscription = null!;
    private IDisposable _churnSubjectSubscription = null!;
    private long _seen;

    public ChangeSetSourceBenchmarks()
    {
        _rowObserver = System.Reactive.Observer.Create<Row>(row => _seen += row.Rev);
        _changeObserver = System.Reactive.Observer.Create<IChangeSet<Row, int>>(changes =>
        {
            foreach (var change in changes)
            {
                _seen += change.Current.Rev;
            }
        });
        _batch = updater =>
        {
            foreach (var row in _rows)
            {
                updater.AddOrUpdate(row);
            }
        };
    }

    [GlobalSetup]
    public void Setup()
    {
        for (var key = 0; key < Updates; key++)
        {
            _rows[key] = new Row(key, "row", key);
            _plainItems[key] = _rows[key];
        }

        _source.Edit(_batch);
        _sourceSubscription = _source.Connect().Subscribe(_changeObserver);
        _plainSubscription = _plainChanges.Subscribe(_rowObserver);

        // Churn happens next to one long-lived subscriber, as in an application.
        _churnSubscription = _churnSource.Connect().Subscribe(_changeObserver);
        _churnSubjectSubscription = _churnSubject.Subscribe(_rowObserver);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sourceSubscription.Dispose();
        _plainSubscription.Dispose();
        _churnSubscription.Dispose();
        _churnSubjectSubscription.Dispose();
        _source.Dispose();
        _churnSource.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Updates)]
    [BenchmarkCategory(Update)]
    public long Plain_DictionaryAndSubject()
    {
        foreach (var row in _rows)
        {
            lock (_plainItems)
            {
                _plainItems[row.Key] = row;
            }

            _plainChanges.OnNext(row);
        }

        return _seen;
    }

    [Benchmark(OperationsPerInvoke = Updates)]
    [BenchmarkCategory(Update)]
    public long Source_SingleUpdates()
    {
        foreach (var row in _rows)
        {
            _source.AddOrUpdate(row);
        }

        return _seen;
    }

    [Benchmark(OperationsPerInvoke = Updates)]
    [BenchmarkCategory(Update)]
    public long Source_BatchedUpdates()
    {
        _source.Edit(_batch);
        return _seen;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Churn)]
    public void Plain_SubjectSubscribeDispose() => _churnSubject.Subscribe(_rowObserver).Dispose();

    [Benchmark]
    [BenchmarkCategory(Churn)]
    public void Source_ConnectSubscribeDispose() => _churnSource.Connect().Subscribe(_changeObserver).Dispose();
}
