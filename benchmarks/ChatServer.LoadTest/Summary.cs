using System.Globalization;

namespace ChatServer.LoadTest;

/// <summary>The figures of N runs: per target, each figure's median with its min–max, then the chat's ratios to SignalR
/// and to the floor. Figures that the generator could have bounded come from valid runs only.</summary>
public static class Summary
{
    public static void Print(IReadOnlyList<string> names, IReadOnlyList<IReadOnlyList<Modes.TargetOutcome>> runs, LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(options);
        var byTarget = names.ToDictionary(name => name, name => runs.Select(run => run.Single(outcome => outcome.Name == name)).ToArray());
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"## Summary: {runs.Count} run(s), {options.Clients:N0} clients, {options.Rate:N0} msg/s fixed rate; median (min–max); a fixed-rate run with the generator above {PhaseResult.GeneratorBusyLimit:P0} busy is invalid and left out"));
        Console.WriteLine("| server | valid fixed runs | deliveries per server CPU s | seen-by-all p99 (ms) | ack p99 (ms) | generator busy (all runs) | memory per connection (KiB) | capacity (msg/s) | runs with a broken invariant |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        var medians = new Dictionary<string, Medians>();
        var lowerBound = false;
        foreach (var (name, outcomes) in byTarget)
        {
            var valid = outcomes.Where(outcome => !outcome.Fixed.GeneratorLimited).Select(outcome => outcome.Fixed).ToArray();
            var perCpu = Spread.Of(valid.Select(result => result.DeliveriesPerCpuSecond));
            var seen = Spread.Of(valid.Select(result => result.SeenByAll.P99));
            var ack = Spread.Of(valid.Select(result => result.Ack.P99));
            var generator = Spread.Of(outcomes.Select(outcome => outcome.Fixed.GeneratorBusy * 100));
            var memory = Spread.Of(outcomes.Select(outcome => outcome.BytesPerConnection / 1024));
            var capacities = outcomes.Where(outcome => outcome.Capacity is not null).Select(outcome => outcome.Capacity!).ToArray();
            var capacity = Spread.Of(capacities.Select(found => found.Rate));
            var broken = outcomes.Count(outcome => !outcome.Fixed.Clean || outcome.Steps.Any(step => !step.Clean));
            medians[name] = new Medians(perCpu.Median, seen.Median, memory.Median, capacity.Median);
            var capacityText = !options.Stepped ? "not stepped"
                : capacities.All(found => found.Rate == 0) ? "no step passed"
                : (capacities.All(found => found.Bounded) ? "" : "≥ ") + capacity.Format("N0");
            lowerBound |= options.Stepped && capacities.Any(found => !found.Bounded);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {valid.Length} / {outcomes.Length} | {perCpu.Format("N0")} | {seen.Format("N1")} | {ack.Format("N1")} | {generator.Format("N0")} % | {memory.Format("N1")} | {capacityText} | {broken} |"));
        }
        if (lowerBound)
        {
            Console.WriteLine("Capacity \"≥\": in some run no valid step failed (the generator or the list of steps ran out first), so that run's figure is a lower bound.");
        }
        if (medians.TryGetValue("chat", out var chat))
        {
            foreach (var other in new[] { "signalr", "floor" })
            {
                if (!medians.TryGetValue(other, out var them))
                {
                    continue;
                }
                Console.WriteLine();
                Console.WriteLine($"Ratios chat / {other} (of the medians):");
                Console.WriteLine($"  deliveries per server CPU-second: {Ratio(chat.DeliveriesPerCpuSecond, them.DeliveriesPerCpuSecond)}");
                Console.WriteLine($"  seen-by-all p99 at {options.Rate.ToString("N0", CultureInfo.InvariantCulture)} msg/s: {Ratio(chat.SeenByAllP99, them.SeenByAllP99)}");
                Console.WriteLine($"  memory per connection: {Ratio(chat.KiBPerConnection, them.KiBPerConnection)}");
                if (options.Stepped)
                {
                    Console.WriteLine($"  capacity: {Ratio(chat.Capacity, them.Capacity)}");
                }
            }
        }
    }

    private static string Ratio(double chat, double other) =>
        other > 0 && !double.IsNaN(chat) && !double.IsNaN(other) ? (chat / other).ToString("N2", CultureInfo.InvariantCulture) : "n/a";

    private sealed record Medians(double DeliveriesPerCpuSecond, double SeenByAllP99, double KiBPerConnection, double Capacity);

    /// <summary>The median, min and max of some runs' figure; NaN when there is none.</summary>
    private readonly record struct Spread(double Median, double Min, double Max, int Count)
    {
        public static Spread Of(IEnumerable<double> values)
        {
            var sorted = values.Where(value => !double.IsNaN(value)).Order().ToArray();
            if (sorted.Length == 0)
            {
                return new Spread(double.NaN, double.NaN, double.NaN, 0);
            }
            var middle = sorted.Length / 2;
            var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
            return new Spread(median, sorted[0], sorted[^1], sorted.Length);
        }

        public string Format(string format) => Count switch
        {
            0 => "n/a",
            1 => Median.ToString(format, CultureInfo.InvariantCulture),
            _ => string.Create(CultureInfo.InvariantCulture, $"{Median.ToString(format, CultureInfo.InvariantCulture)} ({Min.ToString(format, CultureInfo.InvariantCulture)}–{Max.ToString(format, CultureInfo.InvariantCulture)})"),
        };
    }
}
