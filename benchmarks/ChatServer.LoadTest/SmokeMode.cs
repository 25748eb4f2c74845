namespace ChatServer.LoadTest;

/// <summary>The CI smoke: a small open-loop run on each target whose checks are invariants, never times (so the
/// generator's busy share does not matter here: nothing is judged on speed).</summary>
public static partial class Modes
{
    public static async Task<int> SmokeAsync(LoadOptions options, string root)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failed = new List<string>();
        foreach (var name in Targets.Names(options))
        {
            Console.WriteLine();
            Console.WriteLine($"# smoke: {name}");
            var problems = await SmokeOneAsync(name, options, root);
            if (problems.Count > 0)
            {
                Console.WriteLine($"Load smoke FAILED on {name}: " + string.Join("; ", problems));
                failed.Add(name);
            }
        }
        if (failed.Count > 0)
        {
            Console.WriteLine($"Load smoke FAILED on: {string.Join(", ", failed)}");
            return 1;
        }
        Console.WriteLine($"Load smoke passed on {string.Join(", ", Targets.Names(options))}: every message acked and delivered once, in order, to every client; no connection closed early.");
        return 0;
    }

    private static async Task<List<string>> SmokeOneAsync(string name, LoadOptions options, string root)
    {
        await using var target = await Targets.StartAsync(name, options, root);
        PhaseResult result;
        int earlyCloses;
        string? firstClose;
        await using (var session = await LoadSession.ConnectAsync(target, options.Clients, options.Senders))
        {
            result = await session.RunAsync(options.Senders, options.Rate, options.Duration, options.Drain);
            earlyCloses = session.EarlyCloses;
            firstClose = session.FirstCloseReason;
        }
        Report.Header();
        Report.Row(result);
        Report.PerSender(result);
        var problems = new List<string>();
        if (result.Sent == 0) { problems.Add("nothing was sent"); }
        if (result.Lost != 0) { problems.Add($"{result.Lost} deliveries lost"); }
        if (result.Duplicates != 0) { problems.Add($"{result.Duplicates} duplicates"); }
        if (result.Reordered != 0) { problems.Add($"{result.Reordered} reordered"); }
        if (result.Unacked != 0) { problems.Add($"{result.Unacked} sends without an ack"); }
        if (result.RejectedPerSender.Sum() != 0) { problems.Add($"{result.RejectedPerSender.Sum()} sends rejected"); }
        if (earlyCloses != 0) { problems.Add($"{earlyCloses} connections closed early (first: {firstClose})"); }
        if (problems.Count == 0)
        {
            Console.WriteLine($"{name}: {result.Sent} messages to {result.Clients} clients, each acked and delivered once, in order, to every client.");
        }
        return problems;
    }
}
