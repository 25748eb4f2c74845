using System.Globalization;

namespace ChatServer.LoadTest;

/// <summary>The default mode: for each server, connect the clients, run the fixed-rate load, optionally step the rate
/// to find the capacity; then the ratios chat / SignalR and the chart.</summary>
public static partial class Modes
{
    public static async Task<int> CompareAsync(LoadOptions options, string root)
    {
        ArgumentNullException.ThrowIfNull(options);
        var outcomes = new List<TargetOutcome>();
        foreach (var name in Targets.Names(options))
        {
            outcomes.Add(await RunTargetAsync(name, options, root));
        }

        Console.WriteLine();
        Console.WriteLine("## Fixed-rate runs");
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
            Console.WriteLine($"## Stepped runs ({options.StepDuration.TotalSeconds:N0} s per step; stopping after two failing steps; a step passes with seen-by-all p99 ≤ {options.P99LimitMilliseconds:N0} ms and nothing lost)");
            Report.Header();
            foreach (var outcome in outcomes)
            {
                foreach (var step in outcome.Steps)
                {
                    Report.Row(step);
                }
            }
        }
        Console.WriteLine();
        Console.WriteLine("| server | memory per connection (RSS after connecting − before) | capacity (largest passing step, msg/s) |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var outcome in outcomes)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {outcome.Name} | {outcome.BytesPerConnection / 1024.0:N1} KiB | {(options.Stepped ? outcome.Capacity.ToString("N0", CultureInfo.InvariantCulture) : "not stepped")} |"));
        }
        if (outcomes is [var chat, var signalr])
        {
            Console.WriteLine();
            Console.WriteLine("Ratios chat / SignalR:");
            if (options.Stepped)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  capacity: {chat.Capacity:N0} / {signalr.Capacity:N0} msg/s = {Ratio(chat.Capacity, signalr.Capacity)}"));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  seen-by-all p99 at {options.Rate:N0} msg/s: {chat.Fixed.SeenByAll.P99:N1} / {signalr.Fixed.SeenByAll.P99:N1} ms = {Ratio(chat.Fixed.SeenByAll.P99, signalr.Fixed.SeenByAll.P99)}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ack p99 at {options.Rate:N0} msg/s: {chat.Fixed.Ack.P99:N1} / {signalr.Fixed.Ack.P99:N1} ms = {Ratio(chat.Fixed.Ack.P99, signalr.Fixed.Ack.P99)}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  deliveries per server CPU-second at {options.Rate:N0} msg/s: {chat.Fixed.DeliveriesPerCpuSecond:N0} / {signalr.Fixed.DeliveriesPerCpuSecond:N0} = {Ratio(chat.Fixed.DeliveriesPerCpuSecond, signalr.Fixed.DeliveriesPerCpuSecond)}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  memory per connection: {chat.BytesPerConnection / 1024.0:N1} / {signalr.BytesPerConnection / 1024.0:N1} KiB = {Ratio(chat.BytesPerConnection, signalr.BytesPerConnection)}"));
        }
        if (options.Chart is not null && options.Stepped)
        {
            Chart.LatencyAgainstLoad(outcomes, options.P99LimitMilliseconds, options.Chart);
            Console.WriteLine($"Chart: {options.Chart}");
        }
        return 0;
    }

    private static string Ratio(double chat, double signalr) =>
        signalr > 0 && !double.IsNaN(chat) ? (chat / signalr).ToString("N2", CultureInfo.InvariantCulture) : "n/a";

    private static async Task<TargetOutcome> RunTargetAsync(string name, LoadOptions options, string root)
    {
        Console.WriteLine();
        Console.WriteLine($"# {name}: starting the server");
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
        var capacity = 0.0;
        if (options.Stepped)
        {
            var failures = 0;
            foreach (var rate in options.Steps)
            {
                var step = await session.RunAsync(options.Senders, rate, options.StepDuration, options.Drain);
                steps.Add(step);
                Report.Row(step);
                var passed = step.Clean && step.SeenByAll.P99 <= options.P99LimitMilliseconds;
                if (passed && failures == 0)
                {
                    capacity = rate;
                }
                // Two failing steps are enough: the chart gets the curve past the limit, and the next would fail harder.
                if (!passed && ++failures == 2)
                {
                    break;
                }
            }
        }
        if (session.FirstCloseReason is { } reason)
        {
            Console.WriteLine($"  early closes: {session.EarlyCloses} (first: {reason})");
        }
        return new TargetOutcome(name, fixedRun, steps, capacity, perConnection);
    }

    private static (long Rss, int Sockets) Measure(ServerProcess server) =>
        server.ProcessId is null ? (0, 0) : (server.ResidentBytes(), server.OpenSockets());

    public sealed record TargetOutcome(string Name, PhaseResult Fixed, IReadOnlyList<PhaseResult> Steps, double Capacity, double BytesPerConnection);
}
