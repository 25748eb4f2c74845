using System.Diagnostics;
using System.Globalization;

namespace ChatServer.LoadTest;

/// <summary>The soak: load plus clients joining and leaving for a while; the server's RSS, sockets and presence entries
/// are sampled before, during and after, and must return to where they were once everyone has left.</summary>
public static partial class Modes
{
    // RSS after the soak may exceed RSS after the warm-up cycle by this much: the GC keeps freed segments for reuse,
    // so a few MiB of difference is the allocator, not a leak; a leak of one object per message or per connection
    // over the soak's tens of thousands of deliveries and thousands of connections would exceed it.
    private const double RssToleranceFraction = 0.15;

    public static async Task<int> SoakAsync(LoadOptions options, string root)
    {
        ArgumentNullException.ThrowIfNull(options);
        var soakDuration = options.Duration == TimeSpan.FromSeconds(20) ? TimeSpan.FromSeconds(60) : options.Duration;
        var clients = options.Clients == 1000 ? 200 : options.Clients;
        var senders = Math.Min(options.Senders, clients);
        var rate = options.Rate;
        var observer = new PresenceObserver();
        await using var target = (ChatTarget)await Targets.StartAsync("chat", options, root);
        target.OnFrame = observer.OnFrame;
        await using var watcher = await target.ConnectAsync(PresenceObserver.Client, null, observer, CancellationToken.None);
        var samples = new List<string>();
        var clock = Stopwatch.StartNew();
        (long Rss, int Sockets, int Entries, int Tabs) Sample(string when)
        {
            var (entries, tabs) = observer.Snapshot();
            var sample = (target.Server.ResidentBytes(), target.Server.OpenSockets(), entries, tabs);
            samples.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {clock.Elapsed.TotalSeconds:N0} s | {when} | {sample.Item1 / 1048576.0:N1} | {sample.Item2:N0} | {entries:N0} | {tabs:N0} |"));
            Console.WriteLine(samples[^1]);
            return sample;
        }
        var settle = TimeSpan.FromSeconds(6); // the presence grace (3 s) plus the closes, with room to spare

        await Task.Delay(TimeSpan.FromSeconds(2));
        var before = Sample("before: server + 1 observer");
        var warm = await CycleAsync(target, clients, senders, rate, TimeSpan.FromSeconds(10), options.Drain, Sample, "warm-up cycle");
        await Task.Delay(settle);
        var afterWarm = Sample("after the warm-up cycle left");
        var soak = await CycleAsync(target, clients, senders, rate, soakDuration, options.Drain, Sample, "soak");
        await Task.Delay(settle);
        var after = Sample("after the soak left");

        Console.WriteLine();
        Console.WriteLine("| time | moment | server RSS (MiB) | server sockets | presence entries | presence tabs |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|");
        samples.ForEach(Console.WriteLine);
        Console.WriteLine();
        Report.Header();
        Report.Row(warm.Result);
        Report.Row(soak.Result);
        Console.WriteLine($"Churn: {warm.Churned + soak.Churned:N0} extra connections joined and left.");

        var problems = new List<string>();
        if (after.Sockets != before.Sockets) { problems.Add($"server sockets {before.Sockets} before, {after.Sockets} after"); }
        if (after.Entries != before.Entries || after.Tabs != before.Tabs) { problems.Add($"presence {before.Entries} entries / {before.Tabs} tabs before, {after.Entries} / {after.Tabs} after"); }
        var allowed = afterWarm.Rss * (1 + RssToleranceFraction);
        if (after.Rss > allowed) { problems.Add(string.Create(CultureInfo.InvariantCulture, $"RSS {after.Rss / 1048576.0:N1} MiB after the soak exceeds {allowed / 1048576.0:N1} MiB (after the warm-up cycle + {RssToleranceFraction:P0})")); }
        if (observer.Closed is { } closed) { problems.Add($"the presence observer was disconnected ({closed})"); }
        if (!soak.Result.Clean) { problems.Add($"soak deliveries not clean: lost {soak.Result.Lost}, duplicates {soak.Result.Duplicates}, reordered {soak.Result.Reordered}, unacked {soak.Result.Unacked}, early closes {soak.Result.EarlyCloses}"); }
        if (problems.Count > 0)
        {
            Console.WriteLine("Soak FAILED: " + string.Join("; ", problems));
            return 1;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Soak passed: sockets {before.Sockets} → {after.Sockets}, presence {before.Entries} → {after.Entries} entries, RSS {afterWarm.Rss / 1048576.0:N1} MiB after warm-up → {after.Rss / 1048576.0:N1} MiB after the soak (limit +{RssToleranceFraction:P0})."));
        return 0;
    }

    // Connects the logged-in clients, runs the load while extra clients join and leave, samples halfway, and leaves.
    private static async Task<(PhaseResult Result, int Churned)> CycleAsync(
        ChatTarget target, int clients, int senders, double rate, TimeSpan duration, TimeSpan drain,
        Func<string, (long, int, int, int)> sample, string label)
    {
        PhaseResult result;
        var churned = 0;
        using var stop = new CancellationTokenSource();
        await using (var session = await LoadSession.ConnectAsync(target, clients, senders: clients, userPrefix: label.Replace(' ', '-')))
        {
            var churn = Task.Run(async () =>
            {
                // Twenty users join, stay a second, and leave, again and again; every other round reuses names, so
                // a user comes back within the presence grace as well as after it.
                var round = 0;
                var observer = new PresenceObserver();
                while (!stop.IsCancellationRequested)
                {
                    var batch = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
                        target.ConnectAsync(-2, $"churn-{(round % 2 == 0 ? i : (round * 20) + i)}", observer, CancellationToken.None)));
                    await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
                    foreach (var connection in batch)
                    {
                        await connection.DisposeAsync();
                    }
                    churned += batch.Length;
                    round++;
                }
            });
            var halfway = Task.Delay(duration / 2).ContinueWith(_ => sample($"{label}: halfway, {clients} clients + churn"), TaskScheduler.Default);
            result = await session.RunAsync(senders, rate, duration, drain);
            await halfway;
            await stop.CancelAsync();
            await churn;
            sample($"{label}: end, before leaving");
        }
        return (result, churned);
    }
}
