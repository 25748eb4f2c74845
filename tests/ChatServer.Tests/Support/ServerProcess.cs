using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ChatServer.Tests.Support;

/// <summary>The built chat server (<c>dotnet ChatServer.dll</c>) in a separate process, on a fixed port and a store
/// path, so that it can be killed with SIGKILL and started again on the same address and store.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    // The host logs this line (Microsoft.Hosting.Lifetime) once Kestrel is listening.
    private const string StartedLine = "Application started.";

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _serving = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Told of each line the process writes, after it is in Output.
    private readonly System.Reactive.Subjects.Subject<System.Reactive.Unit> _lines = new();

    private ServerProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Exited += (_, _) =>
        {
            // Exited can come before the last lines were read: waiting without a timeout drains the redirected streams.
            process.WaitForExit();
            _serving.TrySetException(new ServerExitedException(process.ExitCode, Output));
        };
    }

    /// <summary>Gets what the process wrote (stdout and stderr), for diagnostics.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Waits until the process has written <paramref name="text"/>: its console logger writes from a queue of its
    /// own, so a line logged just now may not be out yet (and a kill would lose it).</summary>
    public Task WaitForOutputAsync(string text) =>
        Faults.Eventually.HoldsAsync(() => Output.Contains(text, StringComparison.Ordinal), $"the server wrote '{text}'", _lines, TimeSpan.FromSeconds(30));

    /// <summary>Gets a signal for each line the process writes, once it is in <see cref="Output"/>.</summary>
    public IObservable<System.Reactive.Unit> Written => _lines;

    /// <summary>Gets a value indicating whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Takes a free loopback port.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public static Uri AddressOf(int port) => new($"http://127.0.0.1:{port}/");

    /// <summary>Starts the server on <paramref name="port"/> with its SQLite store at <paramref name="storePath"/>, and
    /// waits until it is listening.</summary>
    public static Task<ServerProcess> StartAsync(int port, string storePath, params string[] settings) =>
        StartAsync(port, storePath, descriptorLimit: null, settings);

    /// <summary>Starts the server as <see cref="StartAsync(int, string, string[])"/> does, with its limit of open file
    /// descriptors set to <paramref name="descriptorLimit"/> (<c>ulimit -n</c>) when given.</summary>
    public static Task<ServerProcess> StartAsync(int port, string storePath, int? descriptorLimit, params string[] settings) =>
        StartAsync(new ServerLaunch(port, storePath) { DescriptorLimit = descriptorLimit, Settings = settings });

    /// <summary>Starts the server as <paramref name="launch"/> says, and waits until it is listening.</summary>
    public static async Task<ServerProcess> StartAsync(ServerLaunch launch)
    {
        var serverDirectory = ServerDirectory();
        // With a descriptor limit, a shell sets it and then becomes dotnet (exec): the process killed later is the server.
        var start = new ProcessStartInfo(launch.DescriptorLimit is null ? "dotnet" : "/bin/sh")
        {
            WorkingDirectory = serverDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in launch.Variables)
        {
            start.Environment[name] = value;
        }
        string[] arguments =
        [
            Path.Combine(serverDirectory, "ChatServer.dll"),
            "--urls", $"http://127.0.0.1:{launch.Port}",
            "--environment", launch.EnvironmentName,
            "--contentRoot", serverDirectory,
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
            .. launch.StoreKind is { } kind ? [$"--Chat:Store:Kind={kind}"] : Array.Empty<string>(),
            $"--Chat:Store:Path={launch.StorePath}",
            $"--Chat:AllowedOrigins:0={ChatHost.TestOrigin}",
            .. launch.Settings,
        ];
        if (launch.DescriptorLimit is { } limit)
        {
            arguments = ["-c", $"ulimit -n {limit} && exec dotnet \"$@\"", "sh", .. arguments];
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        var server = new ServerProcess(new Process { StartInfo = start, EnableRaisingEvents = true });
        server._process.Start();
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        try
        {
            await server._serving.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            await server.DisposeAsync();
            throw new TimeoutException($"The server did not start within 60 s:\n{server.Output}");
        }
        return server;
    }

    /// <summary>Kills the process with SIGKILL: no shutdown code runs, nothing is flushed.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Sends SIGTERM (what a service manager or <c>docker stop</c> sends) and waits for the process to exit.</summary>
    /// <returns>The exit code.</returns>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })!)
        {
            await kill.WaitForExitAsync().WaitAsync(timeout);
        }
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
        _lines.OnNext(System.Reactive.Unit.Default);
        if (line.Contains(StartedLine, StringComparison.Ordinal))
        {
            _serving.TrySetResult();
        }
    }

    // The server's build output for the configuration the tests were built with (bin/<Configuration>/<tfm>/).
    private static string ServerDirectory()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent!.Name;
        var directory = Path.Combine(Repository.Root, "samples", "ChatServer", "bin", configuration, framework);
        return File.Exists(Path.Combine(directory, "ChatServer.dll"))
            ? directory
            : throw new InvalidOperationException($"The built server was not found at {directory}.");
    }
}
