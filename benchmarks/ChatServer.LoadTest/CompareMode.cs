using System.Globalization;

namespace ChatServer.LoadTest;

/// <summary>The default mode: N whole runs, each of which starts every target in turn, connects the clients, runs the
/// fixed-rate load and optionally steps the rate to find the capacity; then every figure as the median of the runs with
/// its min–max, and the chat's ratios to SignalR and to the floor.</summary>
public static partial class Modes
{
    public static async Task<int> CompareAsync(LoadOptions options, string root)
    {
        ArgumentNullException.ThrowIfNull(options);
        var names = Targets.Names(options);
        var runs = new List<IReadOnlyList<TargetOutcome>>();
        for (var run = 1; run <= options.Runs; run++)
        {
            // Targets interleave within a run, so that a busier minute of the machine falls on all of them alike.
            var outcomes = new List<TargetOutcome>();
            foreach (var name in names)
            {
                Console.WriteLine();
                Console.WriteLine($"# run {run} of {options.Runs}: {name}");
                outcomes.Add(await RunTargetAsync(name, options, root));
            }
            runs.Add(outcomes);
            PrintRun(run, outcomes, options);
        }
        Summary.Print(names, runs, options);
        if (options.Chart is not null && options.Stepped)
        {
            Chart.LatencyAgainstLoad(runs[0], options.P99LimitMilliseconds, options.Chart);
            Console.WriteLine($"Chart (run 1): {options.Chart}");
        }
        return 0;
    }

    private static void PrintRun(int run, IReadOnlyList<TargetOutcome> outcomes, LoadOptions options)
    {
        Console.WriteLine();
        Console.WriteLine($"## Run {run}: fixed rate");
        Report.Header();
        foreach (var outcome in outcomes)
        {
            Report.Row(outcome.Fixed);
        }
        foreach (var outcome in outcomes)
        {
            Report.PerSender(outcome.Fixed);
        }
        if (options.Stepped)
        {
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"## Run {run}: stepped ({options.StepDuration.TotalSeconds:N0} s per step; a step passes with seen-by-all p99 ≤ {options.P99LimitMilliseconds:N0} ms and nothing lost; a step with the generator above {PhaseResult.GeneratorBusyLimit:P0} busy is invalid, neither pass nor fail; stopping after two steps that fail or are invalid)"));
            Report.Header();
            foreach (var outcome in outcomes)
            {
                foreach (var step in outcome.Steps)
                {
                    Report.Row(step);
                }
            }
        }
    }

    private static async Task<TargetOutcome> RunTargetAsync(string name, LoadOptions options, string root)
    {
        await using var target = await Targets.StartAsync(name, options, root);
        Console.WriteLine($"  {target.Server.Url} (pid {target.Server.ProcessId?.ToString(CultureInfo.InvariantCulture) ?? "not ours"}, pinned: {target.Server.Pinned})");
        var idle = Measure(target.Server);
        await using var session = await LoadSession.ConnectAsync(target, options.Clients, options.Senders);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var connected = Measure(target.Server);
        var perConnection = (connected.Rss - idle.Rss) / (double)options.Clients;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {options.Clients:N0} connected; server RSS {idle.Rss / 1048576.0:N1} → {connected.Rss / 1048576.0:N1} MiB, {perConnection / 1024:N1} KiB per connection"));
        if (options.Warmup > TimeSpan.Zero)
        {
            await session.RunAsync(options.Senders, options.Rate, options.Warmup, options.Drain);
        }
        var fixedRun = await session.RunAsync(options.Senders, options.Rate, options.Duration, options.Drain);
        Report.Row(fixedRun);
        var steps = new List<PhaseResult>();
        Capacity? capacity = null;
        if (options.Stepped)
        {
            var found = 0.0;
            var failed = false;
            var misses = 0;
            foreach (var rate in options.Steps)
            {
                var step = await session.RunAsync(options.Senders, rate, options.StepDuration, options.Drain);
                steps.Add(step);
                Report.Row(step);
                if (step.GeneratorLimited)
                {
                    // Says nothing about the server: neither a pass nor a fail. Higher rates would only load it more.
                    if (++misses == 2)
                    {
                        break;
                    }
                    continue;
                }
                var passed = step.Clean && step.SeenByAll.P99 <= options.P99LimitMilliseconds;
                if (passed && !failed)
                {
                    found = rate;
                }
                failed |= !passed;
                // Two misses are enough: the chart gets the curve past the limit, and the next would fail harder.
                if (!passed && ++misses == 2)
                {
                    break;
                }
            }
            // Without a failing step the capacity is only a lower bound: the generator or the step list ran out first.
            capacity = new Capacity(found, Bounded: failed);
        }
        if (session.FirstCloseReason is { } reason)
        {
            Console.WriteLine($"  early closes: {session.EarlyCloses} (first: {reason})");
        }
        return new TargetOutcome(name, fixedRun, steps, capacity, perConnection);
    }

    private static (long Rss, int Sockets) Measure(ServerProcess server) =>
        server.ProcessId is null ? (0, 0) : (server.ResidentBytes(), server.OpenSockets());

    /// <summary>The largest passing step below the first failing one; <paramref name="Bounded"/> is false when no valid
    /// step failed, so that the server may hold more than <paramref name="Rate"/>.</summary>
    public sealed record Capacity(double Rate, bool Bounded);

    public sealed record TargetOutcome(string Name, PhaseResult Fixed, IReadOnlyList<PhaseResult> Steps, Capacity? Capacity, double BytesPerConnection);
}
