using System.Globalization;

namespace ChatServer.LoadTest;

/// <summary>Memory per idle connection: a fresh server per count, RSS before and after opening that many idle readers.</summary>
public static partial class Modes
{
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
                    var before = target.Server.ResidentBytes();
                    await using var session = await LoadSession.ConnectAsync(target, count, senders: 0);
                    await Task.Delay(TimeSpan.FromSeconds(3));
                    var after = target.Server.ResidentBytes();
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
                    rows.Add(string.Create(CultureInfo.InvariantCulture,
                        $"| {name} | {count:N0} | {before / 1048576.0:N1} | {after / 1048576.0:N1} | {(after - before) / (double)count / 1024:N1} | {sockets:N0} | {session.EarlyCloses}{(session.FirstCloseReason is { } reason ? $" (first: {reason})" : "")} |"));
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    rows.Add($"| {name} | {count:N0} | failed: {exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")} | | | | |");
                }
                Console.WriteLine(rows[^1]);
            }
        }
        Console.WriteLine();
        Console.WriteLine("| server | idle connections | RSS before (MiB) | RSS after (MiB) | KiB per connection | server sockets | early closes |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        rows.ForEach(Console.WriteLine);
        return 0;
    }
}
