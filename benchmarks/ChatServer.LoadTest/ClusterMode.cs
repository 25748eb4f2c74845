using System.Globalization;

namespace ChatServer.LoadTest;

/// <summary>The cluster mode: the chat on N nodes over one Redis, against one node on Redis and one node on SQLite at
/// the same rate and connection count, all in one invocation; then two faults on the cluster under load (Redis killed
/// and restarted from its append-only file, a node killed), each checked against the log Redis holds.</summary>
public static partial class Modes
{
    public static async Task<int> ClusterAsync(LoadOptions options, string root)
    {
        ArgumentNullException.ThrowIfNull(options);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# cluster: {options.Nodes} nodes and one redis-server (appendonly yes, appendfsync always) against one node; {options.Clients:N0} clients ({options.Senders} senders among them), {options.Rate:N0} msg/s, {options.Duration.TotalSeconds:N0} s per run after a {options.Warmup.TotalSeconds:N0} s warm-up"));
        var runs = new List<PhaseResult>();
        var faults = new List<FaultResult>();
        var faultDrain = options.Drain * 2;

        await using (var cluster = await ClusterTarget.StartAsync(root, options.Nodes, $"redis, {options.Nodes} nodes"))
        {
            foreach (var line in cluster.Describe())
            {
                Console.WriteLine(line);
            }
            runs.Add(await MeasureAsync(cluster, options));
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"# fault: redis-server killed (SIGKILL) {options.Duration.TotalSeconds / 3:N1} s into the run, restarted from its append-only file {options.Outage.TotalSeconds:N0} s later"));
            faults.Add(await ClusterFaultRun.RunAsync(cluster, "redis-restart", options.Clients, options.Senders, options.Rate, options.Duration, options.Duration / 3, async () =>
            {
                await cluster.Redis.KillAsync();
                await Task.Delay(options.Outage);
                await cluster.Redis.RestartAsync();
            }, faultDrain));
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"# fault: {cluster.Nodes[^1].Name} killed (SIGKILL) {options.Duration.TotalSeconds / 3:N1} s into the run; its clients move to the other nodes and resend what is unsettled"));
            faults.Add(await ClusterFaultRun.RunAsync(cluster, "node-kill", options.Clients, options.Senders, options.Rate, options.Duration, options.Duration / 3,
                () => cluster.Nodes[^1].Server.KillAsync(), faultDrain));
        }
        Console.WriteLine();
        Console.WriteLine("# one node, Redis store");
        await using (var one = await ClusterTarget.StartAsync(root, 1, "redis, 1 node"))
        {
            runs.Add(await MeasureAsync(one, options));
        }
        if (options.ClusterSqlite)
        {
            Console.WriteLine();
            Console.WriteLine("# one node, SQLite store (the default)");
            await using var sqlite = await ChatTarget.StartAsync(root, pin: false, name: "sqlite, 1 node");
            runs.Add(await MeasureAsync(sqlite, options));
        }

        Console.WriteLine();
        Console.WriteLine("## Runs");
        Report.Header();
        runs.ForEach(Report.Row);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"## Cross-node latency: send → seen by every reader on every node ({options.Clients:N0} clients, {options.Rate:N0} msg/s; a run with the generator above {PhaseResult.GeneratorBusyLimit:P0} busy is invalid)"));
        Console.WriteLine("| setup | sent / acked | seen by all p50 / p99 (ms) | ack p50 / p99 (ms) | lost / dup / reordered | server CPU (all processes) | generator busy |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var run in runs)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {run.Target} | {run.Sent:N0} / {run.AckedPerSender.Sum():N0} | {run.SeenByAll.P50:N1} / {run.SeenByAll.P99:N1} | {run.Ack.P50:N1} / {run.Ack.P99:N1} | {run.Lost:N0} / {run.Duplicates:N0} / {run.Reordered:N0} | {run.ServerCpuSeconds:N1} s ({run.ServerBusy:P0} of a core) | {Report.Generator(run)} |"));
        }
        Console.WriteLine();
        Console.WriteLine($"## Faults on {options.Nodes} nodes (the final log read from Redis: XRANGE {{chat}}:events, HGETALL {{chat}}:messages, ZRANGE {{chat}}:order)");
        Console.WriteLine("| fault | lasted | sent | acked | resent (same id) | present in log | distinct in log | lost | stored twice | delivered twice | connections moved | staying connections missing an acked message | unsettled | generator busy |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var fault in faults)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {fault.Phase} | {fault.FaultSeconds:N1} s | {fault.Sent:N0} | {fault.Acked:N0} | {fault.Resent:N0} | {fault.PresentInLog:N0} | {fault.DistinctInLog:N0} | {fault.Lost} | {fault.StoredTwice} | {fault.DeliveredTwice} | {fault.ReadersMoved} | {fault.MissingAtStayingReaders} (of {fault.StayingReaders} connections) | {fault.Unsettled} | {fault.GeneratorBusy:P0} |"));
        }
        foreach (var fault in faults)
        {
            PrintSettleTimes(fault);
        }

        var problems = runs.Where(run => !run.Clean).Select(run => $"{run.Target}: lost {run.Lost}, duplicates {run.Duplicates}, reordered {run.Reordered}, unacked {run.Unacked}, early closes {run.EarlyCloses}")
            .Concat(faults.Where(fault => !fault.Clean).Select(fault => $"{fault.Phase}: lost {fault.Lost}, stored twice {fault.StoredTwice}, delivered twice {fault.DeliveredTwice}, missing at staying connections {fault.MissingAtStayingReaders}, unsettled {fault.Unsettled}, rejected {fault.Rejected}, acked {fault.Acked} but present {fault.PresentInLog}"))
            .ToList();
        if (problems.Count > 0)
        {
            Console.WriteLine("Cluster run FAILED: " + string.Join("; ", problems));
            return 1;
        }
        Console.WriteLine("Cluster run passed: every send acked, stored once and delivered once, through the Redis restart and the node kill.");
        return 0;
    }

    // Connects the clients, warms up, and runs the fixed rate once.
    private static async Task<PhaseResult> MeasureAsync(ILoadTarget target, LoadOptions options)
    {
        await using var session = await LoadSession.ConnectAsync(target, options.Clients, options.Senders);
        if (options.Warmup > TimeSpan.Zero)
        {
            await session.RunAsync(options.Senders, options.Rate, options.Warmup, options.Drain);
        }
        var result = await session.RunAsync(options.Senders, options.Rate, options.Duration, options.Drain);
        Report.Header();
        Report.Row(result);
        return result;
    }

    private static void PrintSettleTimes(FaultResult fault)
    {
        Console.WriteLine();
        Console.WriteLine($"{fault.Phase}: {fault.HitByFault.Count} sends were unsettled when the fault began or made before it was over (for a client that moved: before its move completed); each as phase:sender:sequence sent → settled, in seconds from the fault's start:");
        foreach (var chunk in fault.HitByFault.Chunk(5))
        {
            Console.WriteLine("  " + string.Join("   ", chunk.Select(send => string.Create(CultureInfo.InvariantCulture,
                $"{send.Text} {send.SentAt:+0.00;-0.00} → {(send.SettledAt is { } settled ? settled.ToString("+0.00", CultureInfo.InvariantCulture) + (send.Accepted ? "" : " rejected") : "never")}"))));
        }
        if (fault.FirstMoveReason is { } reason)
        {
            Console.WriteLine($"  first connection moved: {reason}");
        }
    }
}
