using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ChatServer.LoadTest;

/// <summary>A server under test, started as its own process (pinned to core 0 with <c>taskset</c> when asked), or an
/// already running one given by URL. Reads its CPU time, memory and open sockets from <c>/proc</c>.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process? _process;

    private ServerProcess(Uri url, Process? process, bool pinned)
    {
        Url = url;
        _process = process;
        Pinned = pinned;
    }

    public Uri Url { get; }

    public bool Pinned { get; }

    public int? ProcessId => _process?.Id;

    // Clock ticks per second of /proc/<pid>/stat; 100 on every Linux this runs on (getconf CLK_TCK).
    private const double ClockTicksPerSecond = 100;

    public static ServerProcess Attach(Uri url) => new(url, null, pinned: false);

    /// <summary>Starts <paramref name="assembly"/> with <c>dotnet</c> on a free loopback port, in Production, and waits
    /// until <paramref name="readyPath"/> answers. <paramref name="environment"/> gets the URL and returns configuration
    /// overrides as environment variables.</summary>
    public static async Task<ServerProcess> StartAsync(string assembly, string readyPath, Func<Uri, IReadOnlyDictionary<string, string>> environment, bool pin)
    {
        if (!File.Exists(assembly))
        {
            throw new FileNotFoundException($"Build the server first (dotnet build -c Release): {assembly} is missing.", assembly);
        }
        var port = FreePort();
        var url = new Uri($"http://127.0.0.1:{port}");
        var pinned = pin && File.Exists("/usr/bin/taskset");
        // taskset execs dotnet, so the process id stays the server's.
        var start = pinned
            ? new ProcessStartInfo("/usr/bin/taskset") { ArgumentList = { "-c", "0", "dotnet", assembly } }
            : new ProcessStartInfo("dotnet") { ArgumentList = { assembly } };
        start.WorkingDirectory = Path.GetDirectoryName(assembly)!;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = url.ToString();
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment(url))
        {
            start.Environment[name] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {assembly}.");
        // Drain its output so that a chatty log never blocks the server on a full pipe; keep errors visible.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, line) => { if (line.Data is { Length: > 0 }) { Console.Error.WriteLine($"[server] {line.Data}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(url, process, pinned);
        await server.WaitReadyAsync(readyPath);
        return server;
    }

    /// <summary>Gets the CPU seconds (user + system) the server process has used so far.</summary>
    public double CpuSeconds() => CpuSecondsOf(RequireProcess().Id);

    /// <summary>Gets the CPU seconds (user + system) process <paramref name="processId"/> has used so far.</summary>
    public static double CpuSecondsOf(int processId)
    {
        var stat = File.ReadAllText($"/proc/{processId}/stat");
        // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields 14 and 15 (utime, stime) are the 12th and 13th after the name.
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / ClockTicksPerSecond;
    }

    /// <summary>Gets the server's resident set size in bytes.</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{RequireProcess().Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }
        throw new InvalidOperationException("No VmRSS in /proc status.");
    }

    /// <summary>Gets the bytes the server's managed heap keeps alive, from a full collection induced in it.</summary>
    public Task<long> LiveHeapBytesAsync() => LiveHeap.BytesAfterFullGcAsync(RequireProcess().Id, TimeSpan.FromSeconds(60));

    /// <summary>Gets the server's open sockets (its file descriptors that are sockets: the listener plus connections).</summary>
    public int OpenSockets()
    {
        var count = 0;
        foreach (var descriptor in Directory.EnumerateFileSystemEntries($"/proc/{RequireProcess().Id}/fd"))
        {
            try
            {
                if (new FileInfo(descriptor).LinkTarget is { } target && target.StartsWith("socket:", StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // Closed while we looked: not open.
            }
        }
        return count;
    }

    public bool HasExited => _process is { HasExited: true };

    /// <summary>Kills the server with SIGKILL (no shutdown, no goodbye to its clients) and waits until it has exited.</summary>
    public async Task KillAsync()
    {
        var process = RequireProcess();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: false);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private Process RequireProcess() =>
        _process ?? throw new InvalidOperationException("The server was given by --url: its process is not ours to read.");

    private async Task WaitReadyAsync(string readyPath)
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (HasExited)
            {
                throw new InvalidOperationException($"The server exited during startup with code {_process!.ExitCode}.");
            }
            try
            {
                using var response = await http.GetAsync(new Uri(readyPath, UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Not answering yet.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The server at {Url} did not answer {readyPath} within 60 s.");
    }

    /// <summary>Gets a loopback port that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
