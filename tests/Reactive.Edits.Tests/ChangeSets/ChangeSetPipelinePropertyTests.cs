using System.Collections.ObjectModel;
using CsCheck;
using Reactive.Edits.ChangeSets;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Tests.ChangeSets;

/// <summary>
/// Random edits of a source piped through Filter, Transform and SortAndBind: after every step the bound lists equal the
/// query over the source's items.
/// </summary>
public sealed class ChangeSetPipelinePropertyTests
{
    private const int Iterations = 1_000;

    private static readonly Gen<int> Key = Gen.Int[0, 11];
    private static readonly Gen<int> Value = Gen.Int[0, 20];

    private static readonly Gen<Op> SimpleOp = Gen.Frequency(
        (5, Gen.Select(Key, Value, static (k, v) => (Op)new Upsert(k, v))),
        (3, Key.Select(static k => (Op)new Delete(k))),
        (3, Gen.Select(Key, Value, static (k, v) => (Op)new MutateAndRefresh(k, v))),
        (1, Key.Select(static k => (Op)new Refresh(k))));

    private static readonly Gen<Op> AnyOp = Gen.Frequency(
        (8, SimpleOp),
        (2, SimpleOp.Array[1, 6].Select(static ops => (Op)new Batch(ops))),
        (1, Gen.Const((Op)new ClearAll())));

    private static readonly Gen<Op[]> Script = AnyOp.Array[1, 40];

    // A total order: value, then id.
    private static readonly IComparer<Row> Total = Comparer<Row>.Create(static (a, b) =>
    {
        var order = a.Value.CompareTo(b.Value);
        return order != 0 ? order : a.Id.CompareTo(b.Id);
    });

    // Many ties: only value / 4 counts, so the tie-break (the order keys were added downstream) decides.
    private static readonly IComparer<Row> Coarse = Comparer<Row>.Create(static (a, b) => (a.Value / 4).CompareTo(b.Value / 4));

    private static bool Keep(MutableItem item) => item.Value % 3 != 0;

    private static Row ToRow(MutableItem item) => new(item.Id, item.Value);

    [Fact]
    public void Pipeline_RandomEdits_BoundListEqualsTheSortedQueryAfterEveryStep() =>
        Script.Sample(ops => Run(ops, Total, tieBreakByArrival: false), iter: Iterations, threads: 1, print: Print);

    [Fact]
    public void Pipeline_RandomEditsWithTies_BoundListBreaksTiesByTheOrderKeysWereAdded() =>
        Script.Sample(ops => Run(ops, Coarse, tieBreakByArrival: true), iter: Iterations, threads: 1, print: Print);

    private static void Run(Op[] ops, IComparer<Row> comparer, bool tieBreakByArrival)
    {
        using var source = new KeyedSource<MutableItem, int>(static item => item.Id);
        var pipeline = source.Connect().Filter(Keep).Transform(ToRow);

        var list = new List<Row>();
        var collection = new ObservableCollection<Row>();
        using var boundList = pipeline.SortAndBind(list, comparer).Record();
        using var boundCollection = pipeline.SortAndBind(collection, comparer).Record();
        using var sortedSnapshots = pipeline.ToSortedList(comparer).Record();
        using var snapshots = pipeline.ToCollection().Record();
        using var counts = pipeline.CountChanged().Record();

        // The model of the tie-break: the order in which keys were added downstream, from the change stream itself.
        var arrival = new Dictionary<int, long>();
        long next = 0;
        using var arrivals = pipeline.Subscribe(changes =>
        {
            foreach (var change in changes)
            {
                if (change.Reason == ChangeReason.Add)
                {
                    arrival[change.Key] = next++;
                }
                else if (change.Reason == ChangeReason.Remove)
                {
                    arrival.Remove(change.Key);
                }
            }
        });

        for (var step = 0; step < ops.Length; step++)
        {
            source.Edit(updater => Apply(ops[step], updater));

            var query = source.Items.Where(Keep).Select(ToRow).OrderBy(static row => row, comparer);
            List<Row> expected = tieBreakByArrival ? [.. query.ThenBy(row => arrival[row.Id])] : [.. query];

            list.Should().Equal(expected, "the bound list after step {0} ({1})", step, ops[step]);
            collection.Should().Equal(expected, "the bound collection after step {0} ({1})", step, ops[step]);
            (sortedSnapshots.Values.Count == 0 ? [] : sortedSnapshots.Last).Should().Equal(expected);
            (snapshots.Values.Count == 0 ? [] : snapshots.Last).Should().BeEquivalentTo(expected);
            (counts.Values.Count == 0 ? 0 : counts.Last).Should().Be(expected.Count);
        }

        foreach (var violations in new[] { boundList.Violations, boundCollection.Violations, sortedSnapshots.Violations, snapshots.Violations, counts.Violations })
        {
            violations.Should().BeEmpty();
        }

        boundList.Error.Should().BeNull();
        boundCollection.Error.Should().BeNull();
    }

    private static void Apply(Op op, ISourceUpdater<MutableItem, int> updater)
    {
        switch (op)
        {
            case Upsert(var key, var value):
                updater.AddOrUpdate(new MutableItem(key, value));
                break;
            case Delete(var key):
                updater.Remove(key);
                break;
            case MutateAndRefresh(var key, var value):
                if (updater.TryGetValue(key, out var item))
                {
                    item.Value = value;
                    updater.Refresh(key);
                }

                break;
            case Refresh(var key):
                updater.Refresh(key);
                break;
            case Batch(var ops):
                foreach (var inner in ops)
                {
                    Apply(inner, updater);
                }

                break;
            case ClearAll:
                updater.Clear();
                break;
        }
    }

    private static string Print(Op[] ops) => string.Join("; ", ops.Select(static op => op.ToString()));

    private sealed record Row(int Id, int Value);

    private abstract record Op;

    private sealed record Upsert(int Key, int Value) : Op;

    private sealed record Delete(int Key) : Op;

    private sealed record MutateAndRefresh(int Key, int Value) : Op;

    private sealed record Refresh(int Key) : Op;

    private sealed record Batch(Op[] Ops) : Op
    {
        public override string ToString() => $"Batch[{string.Join(", ", Ops.Select(static op => op.ToString()))}]";
    }

    private sealed record ClearAll : Op;
}
