using System.Diagnostics;
using ChatServer.LoadTest;

// Open-loop load on the chat sample, a SignalR baseline and a broadcast floor; see docs/benchmarks.md ("Chat server under
// load") for the method.
if (args.Contains("--help"))
{
    Console.WriteLine(LoadOptions.Usage);
    return 0;
}
LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (ArgumentException exception)
{
    Console.Error.WriteLine(exception.Message);
    Console.Error.WriteLine(LoadOptions.Usage);
    return 2;
}

if (OperatingSystem.IsLinux() && options.Pin && options.Url is null && File.Exists("/usr/bin/taskset") && Environment.ProcessorCount > 1)
{
    // The server runs on core 0 (taskset), the generator on core 1, so that they do not take each other's time.
    Process.GetCurrentProcess().ProcessorAffinity = 2;
    Console.WriteLine("Pinned: server on core 0 (taskset -c 0), load generator on core 1.");
}
else
{
    Console.WriteLine("Not pinned: server and load generator share the cores.");
}
Console.WriteLine($"Machine: {Environment.ProcessorCount} logical cores, {Environment.OSVersion}, .NET {Environment.Version}; load average {File.ReadAllText("/proc/loadavg").Trim()}");

try
{
    var root = Repository.Root();
    if (options.Cluster)
    {
        return await Modes.ClusterAsync(options, root);
    }
    if (options.Smoke)
    {
        return await Modes.SmokeAsync(options, root);
    }
    if (options.BadFrameAttack)
    {
        return await Modes.BadFrameAttackAsync(options, root);
    }
    if (options.Soak)
    {
        return await Modes.SoakAsync(options, root);
    }
    if (options.Density)
    {
        return await Modes.DensityAsync(options, root);
    }
    return await Modes.CompareAsync(options, root);
}
catch (Exception exception) when (exception is not OutOfMemoryException)
{
    // A server that does not start, refuses connections or drops them is a failed run, with its reason.
    Console.WriteLine($"Load test FAILED: {exception.GetType().Name}: {exception.Message}");
    Console.Error.WriteLine(exception);
    return 1;
}
