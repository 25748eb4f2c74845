using System.Globalization;

namespace ChatServer.LoadTest;

/// <summary>Memory per idle connection: a fresh server per count; RSS when it has started, again once a first batch of
/// idle readers is open (warm), and after that many more; per connection from the warm reading, and from the fresh one
/// (which also counts what the first connections cost once). With <c>--density-live-heap</c>, also the bytes the managed
/// heap keeps alive after a full collection at the warm point and after the count (<see cref="LiveHeap"/>).</summary>
public static partial class Modes
{
    // One connect batch (LoadSession opens 64 at a time).
    private const int WarmConnections = 64;

    public static async Task<int> DensityAsync(LoadOptions options, string root)
    {
        ArgumentNullException.ThrowIfNull(options);
        var rows = new List<string>();
        foreach (var name in Targets.Names(options))
        {
            foreach (var count in options.DensityCounts)
            {
                Console.WriteLine($"# {name}: {count:N0} idle connections");
                try
                {
                    await using var target = await Targets.StartAsync(name, options, root);
                    var fresh = target.Server.ResidentBytes();
                    // One batch of connections first, kept open: what the server pays once (the connection path's code
                    // compiled, its first threads) is then in the warm reading, and only the connections' own memory in
                    // the difference after it.
                    await using var warm = await LoadSession.ConnectAsync(target, WarmConnections, senders: 0);
                    await Task.Delay(TimeSpan.FromSeconds(3));
                    var before = target.Server.ResidentBytes();
                    // Read after the RSS: the induced collection changes what the process has resident.
                    var liveBefore = options.DensityLiveHeap ? await target.Server.LiveHeapBytesAsync() : 0;
                    await using var session = await LoadSession.ConnectAsync(target, count, senders: 0);
                    await Task.Delay(TimeSpan.FromSeconds(3));
                    var after = target.Server.ResidentBytes();
                    var liveAfter = options.DensityLiveHeap ? await target.Server.LiveHeapBytesAsync() : 0;
                    var sockets = target.Server.OpenSockets();
                    if (options.DensityHold > TimeSpan.Zero)
                    {
                        // Measured already: the hold only leaves time to inspect the server (e.g. dotnet-gcdump collect -p).
                        Console.WriteLine($"# holding {count:N0} idle connections to process {target.Server.ProcessId} for {options.DensityHold.TotalSeconds:N0} s");
                        await Task.Delay(options.DensityHold);
                        // Read again after the hold: what of the connect burst's memory the server gave back meanwhile.
                        var held = target.Server.ResidentBytes();
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"# after the hold: RSS {held / 1048576.0:N1} MiB, {(held - before) / (double)count / 1024:N1} KiB per connection"));
                    }
                    var closes = warm.EarlyCloses + session.EarlyCloses;
                    var reason = warm.FirstCloseReason ?? session.FirstCloseReason;
                    rows.Add(string.Create(CultureInfo.InvariantCulture,
                        $"| {name} | {count:N0} | {fresh / 1048576.0:N1} | {before / 1048576.0:N1} | {after / 1048576.0:N1} | {(after - before) / (double)count / 1024:N1} | {(after - fresh) / (double)(count + WarmConnections) / 1024:N1} | {(options.DensityLiveHeap ? ((liveAfter - liveBefore) / (double)count / 1024).ToString("N1", CultureInfo.InvariantCulture) : "")} | {sockets:N0} | {closes}{(reason is { } first ? $" (first: {first})" : "")} |"));
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    rows.Add($"| {name} | {count:N0} | failed: {exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")} | | | | | | | |");
                }
                Console.WriteLine(rows[^1]);
            }
        }
        Console.WriteLine();
        Console.WriteLine($"| server | idle connections | RSS fresh (MiB) | RSS warm, {WarmConnections} open (MiB) | RSS after (MiB) | KiB per connection, from warm | KiB per connection, from fresh | live heap KiB per connection, from warm | server sockets | early closes |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        rows.ForEach(Console.WriteLine);
        return 0;
    }
}
