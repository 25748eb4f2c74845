using System.Globalization;

namespace ChatServer.LoadTest;

/// <summary>Prints results as Markdown tables (pasted into docs/benchmarks.md as they are).</summary>
public static class Report
{
    public static void Header()
    {
        Console.WriteLine("| server | offered msg/s | clients | sent | acked | delivered/s | ack p50 / p99 / p99.9 / max (ms) | seen-by-all p50 / p99 / p99.9 / max (ms) | lost | dup | reordered | fewest / most receipts | server CPU s (busy) | generator busy (of its cores) | deliveries per server CPU s | early closes |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---|---:|---:|---:|---:|");
    }

    public static void Row(PhaseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {result.Target} | {result.OfferedRate:N0} | {result.Clients:N0} | {result.Sent:N0} | {result.AckedPerSender.Sum():N0} | {result.DeliveredPerSecond:N0} | {Latency(result.Ack)} | {Latency(result.SeenByAll)} | {result.Lost:N0} | {result.Duplicates:N0} | {result.Reordered:N0} | {result.FewestReceipts:N0} / {result.MostReceipts:N0} | {result.ServerCpuSeconds:N1} ({result.ServerBusy:P0}) | {Generator(result)} | {result.DeliveriesPerCpuSecond:N0} | {result.EarlyCloses} |"));
    }

    public static void PerSender(PhaseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Console.WriteLine($"Per sender ({result.Target}, {result.OfferedRate:N0} msg/s): sent / acked / rejected / lost deliveries / duplicates / reordered");
        for (var sender = 0; sender < result.Senders; sender++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  sender {sender}: {result.SentPerSender[sender]} / {result.AckedPerSender[sender]} / {result.RejectedPerSender[sender]} / {result.LostPerSender[sender]} / {result.DuplicatesPerSender[sender]} / {result.ReorderedPerSender[sender]}"));
        }
    }

    /// <summary>The generator's busy share and cores, flagged when it makes the run invalid.</summary>
    public static string Generator(PhaseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return string.Create(CultureInfo.InvariantCulture,
            $"{result.GeneratorBusy:P0} of {result.GeneratorCores}{(result.GeneratorLimited ? " **invalid**" : "")}");
    }

    private static string Latency(Percentiles p) =>
        string.Create(CultureInfo.InvariantCulture, $"{p.P50:N1} / {p.P99:N1} / {p.P999:N1} / {p.Max:N1}");
}
