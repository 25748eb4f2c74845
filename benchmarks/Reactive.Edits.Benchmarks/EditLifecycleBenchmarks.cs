using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Reactive.Edits.ChangeSets;

namespace Reactive.Edits.Benchmarks;

/// <summary>
/// The edit lifecycle with one subscriber: request (pending change) then accept (removal change), and request, reject,
/// retry, accept; <see cref="InFlight"/> edits are requested before the first is settled.
/// </summary>
/// <remarks>
/// <para>Every invocation runs <see cref="EditsPerInvoke"/> edits in rounds of <see cref="InFlight"/>, so every figure is per
/// edit. The subscriber enumerates each change set as an application would (<c>foreach</c> over the interface).</para>
/// <para>The baseline makes its ids with <see cref="Guid.NewGuid"/>, as a hand-written tracker would. The <c>PlainSameIds_</c>
/// rows run the same baseline with the library's id source (<see cref="EditId.New"/>), so that the report can also show
/// the library's cost with the difference in ids taken out.</para>
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class EditLifecycleBenchmarks
{
    public const int EditsPerInvoke = 10_000;

    private static readonly InvalidOperationException Rejection = new("rejected");

    private EditSet<int> _edits = null!;
    private PlainEdits<int> _plain = null!;
    private PlainEdits<int> _plainSameIds = null!;
    private IDisposable _editsSubscription = null!;
    private IDisposable _plainSubscription = null!;
    private IDisposable _plainSameIdsSubscription = null!;
    private Edit<int>[] _inFlight = null!;
    private PlainEdit<int>[] _plainInFlight = null!;
    private long _notifications;

    [Params(1, 100, 10_000)]
    public int InFlight { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _edits = new EditSet<int>();
        _plain = new PlainEdits<int>();
        _plainSameIds = new PlainEdits<int>(static () => EditId.New().Value);
        _editsSubscription = _edits.Connect().Subscribe(changes =>
        {
            foreach (var change in changes)
            {
                _notifications += (int)change.Reason + 1;
            }
        });
        _plainSubscription = _plain.Changes.Subscribe(change => _notifications += (int)change.Kind + 1);
        _plainSameIdsSubscription = _plainSameIds.Changes.Subscribe(change => _notifications += (int)change.Kind + 1);
        _inFlight = new Edit<int>[InFlight];
        _plainInFlight = new PlainEdit<int>[InFlight];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _editsSubscription.Dispose();
        _plainSubscription.Dispose();
        _plainSameIdsSubscription.Dispose();
        _edits.Dispose();
        _plain.Dispose();
        _plainSameIds.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = EditsPerInvoke)]
    [BenchmarkCategory("RequestAccept")]
    public long Plain_RequestAccept() => RequestAccept(_plain);

    [Benchmark(OperationsPerInvoke = EditsPerInvoke)]
    [BenchmarkCategory("RequestAccept")]
    public long PlainSameIds_RequestAccept() => RequestAccept(_plainSameIds);

    [Benchmark(OperationsPerInvoke = EditsPerInvoke)]
    [BenchmarkCategory("RequestAccept")]
    public long EditSet_RequestAccept()
    {
        for (var round = 0; round < EditsPerInvoke / InFlight; round++)
        {
            for (var i = 0; i < _inFlight.Length; i++)
            {
                _inFlight[i] = _edits.Request(i);
            }

            for (var i = 0; i < _inFlight.Length; i++)
            {
                _inFlight[i].Token.Accept();
            }
        }

        return _notifications;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = EditsPerInvoke)]
    [BenchmarkCategory("RejectRetryAccept")]
    public long Plain_RejectRetryAccept() => RejectRetryAccept(_plain);

    [Benchmark(OperationsPerInvoke = EditsPerInvoke)]
    [BenchmarkCategory("RejectRetryAccept")]
    public long PlainSameIds_RejectRetryAccept() => RejectRetryAccept(_plainSameIds);

    [Benchmark(OperationsPerInvoke = EditsPerInvoke)]
    [BenchmarkCategory("RejectRetryAccept")]
    public long EditSet_RejectRetryAccept()
    {
        for (var round = 0; round < EditsPerInvoke / InFlight; round++)
        {
            for (var i = 0; i < _inFlight.Length; i++)
            {
                _inFlight[i] = _edits.Request(i);
            }

            for (var i = 0; i < _inFlight.Length; i++)
            {
                _inFlight[i].Token.Reject(Rejection);
            }

            for (var i = 0; i < _inFlight.Length; i++)
            {
                // The retry issues a new token and returns it with the new attempt, as the plain Retry does.
                _edits.TryRetry(_inFlight[i].Id, out var retried);
                _inFlight[i] = retried!;
            }

            for (var i = 0; i < _inFlight.Length; i++)
            {
                _inFlight[i].Token.Accept();
            }
        }

        return _notifications;
    }

    private long RequestAccept(PlainEdits<int> plain)
    {
        for (var round = 0; round < EditsPerInvoke / InFlight; round++)
        {
            for (var i = 0; i < _plainInFlight.Length; i++)
            {
                _plainInFlight[i] = plain.Request(i);
            }

            for (var i = 0; i < _plainInFlight.Length; i++)
            {
                plain.Accept(_plainInFlight[i]);
            }
        }

        return _notifications;
    }

    private long RejectRetryAccept(PlainEdits<int> plain)
    {
        for (var round = 0; round < EditsPerInvoke / InFlight; round++)
        {
            for (var i = 0; i < _plainInFlight.Length; i++)
            {
                _plainInFlight[i] = plain.Request(i);
            }

            for (var i = 0; i < _plainInFlight.Length; i++)
            {
                plain.Reject(_plainInFlight[i], Rejection);
            }

            for (var i = 0; i < _plainInFlight.Length; i++)
            {
                _plainInFlight[i] = plain.Retry(_plainInFlight[i]);
            }

            for (var i = 0; i < _plainInFlight.Length; i++)
            {
                plain.Accept(_plainInFlight[i]);
            }
        }

        return _notifications;
    }
}
