using BenchmarkDotNet.Attributes;
using Reactive.Edits.ChangeSets;

namespace Reactive.Edits.Benchmarks;

/// <summary>
/// Two threads race to settle the same <see cref="Edits"/> edits, one accepting and one rejecting every one of them,
/// while one subscriber counts the outcomes; every invocation checks that each edit ended exactly once.
/// </summary>
/// <remarks>
/// An invocation requests the edits on the calling thread, then starts both spenders at a barrier. Figures are per edit
/// (request plus the contested settle). A lost or doubled outcome throws, which fails the benchmark run.
/// </remarks>
[MemoryDiagnoser]
public class ConcurrentSpendersBenchmarks
{
    public const int Edits = 100_000;

    private static readonly InvalidOperationException Rejection = new("rejected");

    private readonly Edit<int>[] _edits = new Edit<int>[Edits];
    private readonly PlainEdit<int>[] _plainEdits = new PlainEdit<int>[Edits];
    private PlainEdits<int>? _plain;

    [Benchmark(Baseline = true, OperationsPerInvoke = Edits)]
    public int Plain_TwoSpenders()
    {
        using var plain = new PlainEdits<int>();
        int accepted = 0, rejected = 0;
        using var subscription = plain.Changes.Subscribe(change =>
        {
            // Notifications are serialized by the tracker's gate, so plain increments are safe here.
            if (change.Kind == PlainChangeKind.Accepted)
            {
                accepted++;
            }
            else if (change.Kind == PlainChangeKind.Rejected)
            {
                rejected++;
            }
        });

        for (var i = 0; i < _plainEdits.Length; i++)
        {
            _plainEdits[i] = plain.Request(i);
        }

        _plain = plain;
        var (acceptWins, rejectWins) = Race(
            this,
            static (self, i) => self._plain!.Accept(self._plainEdits[i]),
            static (self, i) => self._plain!.Reject(self._plainEdits[i], Rejection));
        Verify(acceptWins, rejectWins, accepted, rejected, remaining: plain.Count - rejectWins);
        return accepted;
    }

    [Benchmark(OperationsPerInvoke = Edits)]
    public int EditSet_TwoSpenders()
    {
        using var edits = new EditSet<int>();
        int accepted = 0, rejected = 0;
        using var subscription = edits.Connect().Subscribe(changes =>
        {
            foreach (var change in changes)
            {
                if (change.Reason == ChangeReason.Remove && change.Current.Status == EditStatus.Accepted)
                {
                    accepted++;
                }
                else if (change.Reason == ChangeReason.Update && change.Current.Status == EditStatus.Rejected)
                {
                    rejected++;
                }
            }
        });

        for (var i = 0; i < _edits.Length; i++)
        {
            _edits[i] = edits.Request(i);
        }

        var (acceptWins, rejectWins) = Race(
            this,
            static (self, i) => self._edits[i].Token.Accept(),
            static (self, i) => self._edits[i].Token.Reject(Rejection));
        Verify(acceptWins, rejectWins, accepted, rejected, remaining: edits.Items.Count - rejectWins);
        return accepted;
    }

    private static (int AcceptWins, int RejectWins) Race(
        ConcurrentSpendersBenchmarks self,
        Func<ConcurrentSpendersBenchmarks, int, bool> accept,
        Func<ConcurrentSpendersBenchmarks, int, bool> reject)
    {
        using var start = new Barrier(2);
        int acceptWins = 0, rejectWins = 0;
        var acceptor = new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < Edits; i++)
            {
                acceptWins += accept(self, i) ? 1 : 0;
            }
        });
        var rejecter = new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < Edits; i++)
            {
                rejectWins += reject(self, i) ? 1 : 0;
            }
        });
        acceptor.Start();
        rejecter.Start();
        acceptor.Join();
        rejecter.Join();
        return (acceptWins, rejectWins);
    }

    // No lost outcome (every edit won by one spender), no doubled one (wins add up exactly, the subscriber saw each
    // once), and the rejected edits, and only they, are still held.
    private static void Verify(int acceptWins, int rejectWins, int accepted, int rejected, int remaining)
    {
        if (acceptWins + rejectWins != Edits || accepted != acceptWins || rejected != rejectWins || remaining != 0)
        {
            throw new InvalidOperationException(
                $"Outcomes violated: {acceptWins} accept wins + {rejectWins} reject wins for {Edits} edits; subscriber saw {accepted} accepted, {rejected} rejected; {remaining} unexpected edits held.");
        }
    }
}
