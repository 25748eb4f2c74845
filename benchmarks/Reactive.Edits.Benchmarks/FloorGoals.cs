using System.Globalization;
using BenchmarkDotNet.Reports;

namespace Reactive.Edits.Benchmarks;

/// <summary>
/// After a run, checks the library's goals against the floors measured in that same run and prints each ratio with
/// PASS or FAIL: the merge's growth from 1k to 100k items over the bare dictionary's, and the lifecycle paths over their
/// plain equivalents. Beside each merge line, when the run has them, with no verdict: the growth and rise of the floor
/// that also allocates what the library allocates (the library's shape without its code), the same merge keeping a
/// table of its own (fed by another stream than the source), and that merge's shape without its code (two tables, the
/// equality test, the same bytes).
/// </summary>
/// <remarks>
/// Figures are means per operation from this run's own reports. A goal whose benchmarks the filter left out is skipped.
/// The verdict never changes the exit code: a busy machine moves timings, and a smoke run must not fail on them. Results
/// of runs with fewer than <see cref="MinimumIterations"/> measured iterations (a dry job) are printed as not measured.
/// </remarks>
internal static class FloorGoals
{
    public const double MergeGrowthGoal = 1.2;
    public const double LifecycleGoal = 1.5;

    private const int MinimumIterations = 3;
    private const int SmallSize = 1_000;
    private const int LargeSize = 100_000;

    public static void Print(IEnumerable<Summary> summaries)
    {
        var reports = summaries.SelectMany(summary => summary.Reports).Where(report => report.ResultStatistics is not null).ToList();
        var lines = new List<string>();
        lines.AddRange(MergeGrowth(reports));
        lines.AddRange(Lifecycle(reports, "RequestAccept", "request → accept"));
        lines.AddRange(Lifecycle(reports, "RejectRetryAccept", "request → reject → retry → accept"));
        if (lines.Count == 0)
        {
            return;
        }

        Console.WriteLine();
        Console.WriteLine("// * Goals against the floors of this run (means per operation) *");
        foreach (var line in lines)
        {
            Console.WriteLine(line);
        }
    }

    // Growth = cost per change at 100k ÷ cost at 1k; the goal bounds the library's growth over the floor's growth.
    private static IEnumerable<string> MergeGrowth(List<BenchmarkReport> reports)
    {
        var merge = reports.Where(report => report.BenchmarkCase.Descriptor.Type == typeof(OptimisticMergeBenchmarks)).ToList();
        foreach (var keys in Enum.GetValues<KeyOrder>())
        {
            var library = Find(merge, nameof(OptimisticMergeBenchmarks.Library_AuthoritativeChange), keys);
            var floor = Find(merge, nameof(OptimisticMergeBenchmarks.DictionaryPublish_AuthoritativeChange), keys);
            if (library.Small is null || library.Large is null || floor.Small is null || floor.Large is null)
            {
                continue;
            }

            var libraryGrowth = Mean(library.Large) / Mean(library.Small);
            var floorGrowth = Mean(floor.Large) / Mean(floor.Small);
            var ratio = libraryGrowth / floorGrowth;
            var verdict = Verdict(ratio <= MergeGrowthGoal, library.Small, library.Large, floor.Small, floor.Large);
            yield return string.Create(
                CultureInfo.InvariantCulture,
                $"merge, authoritative change, {keys}: library {Mean(library.Small):N1} → {Mean(library.Large):N1} ns (×{libraryGrowth:N2}), dictionary + publish {Mean(floor.Small):N1} → {Mean(floor.Large):N1} ns (×{floorGrowth:N2}), 1k → 100k; growth ratio {ratio:N2} (goal ≤ {MergeGrowthGoal:N1}): {verdict}");

            // Not a goal: the rows beside the library's. The floor that also allocates what the library allocates per
            // change (the library's shape without its code); the same merge keeping its own table; and that merge's shape
            // without its code (two tables, the previous row compared, the same garbage).
            var bytes = OptimisticMergeBenchmarks.LibraryExtraBytes;
            if (Beside(merge, nameof(OptimisticMergeBenchmarks.DictionaryPublishAllocating_AuthoritativeChange), keys) is { } allocating)
            {
                yield return Invariant($"  beside it, dictionary + publish + {bytes} bytes of garbage per change: {allocating.Figures}; library growth ÷ this growth {libraryGrowth / allocating.Growth:N2}; the library's rise {Rise(library)} ns (no goal)");
            }

            if (Beside(merge, nameof(OptimisticMergeBenchmarks.LibraryOwnTable_AuthoritativeChange), keys) is { } ownTable)
            {
                yield return Invariant($"  beside it, the merge keeping its own table: {ownTable.Figures}; growth ratio {ownTable.Growth / floorGrowth:N2} (no goal)");
            }

            if (Beside(merge, nameof(OptimisticMergeBenchmarks.TwoTablesAllocating_AuthoritativeChange), keys) is { } shape)
            {
                yield return Invariant($"  beside it, two tables + the equality test + {OptimisticMergeBenchmarks.OwnTableExtraBytes} bytes of garbage: {shape.Figures} (no goal)");
            }
        }
    }

    // A row printed beside the library's: its growth from 1k to 100k, and its costs, growth and rise as text.
    private static (double Growth, string Figures)? Beside(List<BenchmarkReport> merge, string method, KeyOrder keys)
    {
        var row = Find(merge, method, keys);
        if (row.Small is null || row.Large is null)
        {
            return null;
        }

        var growth = Mean(row.Large) / Mean(row.Small);
        return (growth, Invariant($"{Mean(row.Small):N1} → {Mean(row.Large):N1} ns (×{growth:N2}, {Rise(row)} ns)"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static IEnumerable<string> Lifecycle(List<BenchmarkReport> reports, string path, string label)
    {
        var lifecycle = reports.Where(report => report.BenchmarkCase.Descriptor.Type == typeof(EditLifecycleBenchmarks)).ToList();
        foreach (var plain in lifecycle.Where(report => report.BenchmarkCase.Descriptor.WorkloadMethod.Name == "Plain_" + path))
        {
            var inFlight = (int)plain.BenchmarkCase.Parameters[nameof(EditLifecycleBenchmarks.InFlight)];
            var library = lifecycle.SingleOrDefault(report =>
                report.BenchmarkCase.Descriptor.WorkloadMethod.Name == "EditSet_" + path &&
                (int)report.BenchmarkCase.Parameters[nameof(EditLifecycleBenchmarks.InFlight)] == inFlight);
            if (library is null)
            {
                continue;
            }

            var ratio = Mean(library) / Mean(plain);
            var verdict = Verdict(ratio <= LifecycleGoal, library, plain);
            yield return string.Create(
                CultureInfo.InvariantCulture,
                $"lifecycle, {label}, {inFlight:N0} in flight: library {Mean(library):N1} ns, plain {Mean(plain):N1} ns; ratio {ratio:N2} (goal ≤ {LifecycleGoal:N1}×): {verdict}");

            // Not a goal: the same baseline with the library's ids, which takes the cost of making ids out of the ratio.
            var sameIds = lifecycle.SingleOrDefault(report =>
                report.BenchmarkCase.Descriptor.WorkloadMethod.Name == "PlainSameIds_" + path &&
                (int)report.BenchmarkCase.Parameters[nameof(EditLifecycleBenchmarks.InFlight)] == inFlight);
            if (sameIds is not null)
            {
                yield return string.Create(
                    CultureInfo.InvariantCulture,
                    $"  beside it, plain with the library's ids: {Mean(sameIds):N1} ns; library ÷ this {Mean(library) / Mean(sameIds):N2} (no goal)");
            }
        }
    }

    private static (BenchmarkReport? Small, BenchmarkReport? Large) Find(List<BenchmarkReport> reports, string method, KeyOrder keys)
    {
        BenchmarkReport? At(int size) => reports.SingleOrDefault(report =>
            report.BenchmarkCase.Descriptor.WorkloadMethod.Name == method &&
            (KeyOrder)report.BenchmarkCase.Parameters[nameof(OptimisticMergeBenchmarks.Keys)] == keys &&
            (int)report.BenchmarkCase.Parameters[nameof(OptimisticMergeBenchmarks.Size)] == size);
        return (At(SmallSize), At(LargeSize));
    }

    // ResultStatistics is per operation: BenchmarkDotNet has already divided by OperationsPerInvoke.
    private static double Mean(BenchmarkReport report) => report.ResultStatistics!.Mean;

    // The change in cost from 1k to 100k, signed: a noisy or dry run can show a fall.
    private static string Rise((BenchmarkReport? Small, BenchmarkReport? Large) sizes) =>
        (Mean(sizes.Large!) - Mean(sizes.Small!)).ToString("+#,0.0;-#,0.0", CultureInfo.InvariantCulture);

    private static string Verdict(bool met, params BenchmarkReport[] from) =>
        from.All(report => report.ResultStatistics!.N >= MinimumIterations)
            ? (met ? "PASS" : "FAIL")
            : "not measured (fewer than 3 iterations, e.g. a dry job)";
}
