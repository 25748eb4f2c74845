using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ChatServer.LoadTest;

/// <summary>The load's own <c>redis-server</c>: a free loopback port, a temporary directory, every write in the
/// append-only file before Redis answers (<c>appendfsync always</c>, no RDB snapshots), as docs/scale-out.md
/// recommends. It can be killed with SIGKILL and started again on the same port and directory, replaying that file.</summary>
/// <remarks>The chat's tests use it too (tests/ChatServer.Tests/Support/RedisServer.cs links this file).</remarks>
public sealed class RedisProcess : IAsyncDisposable
{
    // Redis logs this line once it has loaded its data (the append-only file) and listens.
    private const string ReadyLine = "Ready to accept connections";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly string _executable;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private RedisProcess(string executable, int port, string directory)
    {
        _executable = executable;
        Port = port;
        Directory = directory;
    }

    /// <summary>Gets the loopback port, the same across restarts.</summary>
    public int Port { get; }

    /// <summary>Gets the temporary directory that holds the append-only file.</summary>
    public string Directory { get; }

    /// <summary>Gets the address the nodes connect to (<c>Chat:Redis</c>).</summary>
    public string EndPoint => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Gets the process id while Redis runs, else null.</summary>
    public int? ProcessId => _process is { HasExited: false } process ? process.Id : null;

    /// <summary>Gets the path of <c>redis-server</c>: <c>REDIS_SERVER_PATH</c> when set, else <c>/usr/bin/redis-server</c>.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("REDIS_SERVER_PATH") is { Length: > 0 } configured ? configured : "/usr/bin/redis-server";

    /// <summary>Gets what Redis wrote to its log (every run since the start), for diagnostics.</summary>
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

    /// <summary>Starts <c>redis-server</c> (<see cref="ExecutablePath"/>) and waits until it answers PING.</summary>
    /// <exception cref="FileNotFoundException">There is no <c>redis-server</c> there.</exception>
    public static async Task<RedisProcess> StartAsync()
    {
        var executable = ExecutablePath;
        if (!File.Exists(executable))
        {
            throw new FileNotFoundException($"redis-server was not found at {executable}: install it (apt-get install redis-server) or set REDIS_SERVER_PATH.", executable);
        }
        var redis = new RedisProcess(executable, FreePort(), System.IO.Directory.CreateTempSubdirectory("redis-").FullName);
        try
        {
            await redis.RunAsync();
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
        return redis;
    }

    /// <summary>Kills Redis with SIGKILL (nothing flushed beyond what it already wrote) and waits until it has exited.</summary>
    public async Task KillAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }
        process.Kill(entireProcessTree: false);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Starts Redis again on the same port and directory (it replays its append-only file) and waits until it
    /// answers PING.</summary>
    public Task RestartAsync() =>
        _process is { HasExited: false }
            ? throw new InvalidOperationException("redis-server is still running: kill it first.")
            : RunAsync();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        finally
        {
            _process?.Dispose();
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private async Task RunAsync()
    {
        _process?.Dispose();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = new ProcessStartInfo(_executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Every option on the command line, no configuration file: the durability docs/scale-out.md recommends.
        foreach (var argument in (string[])[
            "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--dir", Directory,
            "--appendonly", "yes",
            "--appendfsync", "always",
            "--save", "",
            "--daemonize", "no",
            "--logfile", ""])
        {
            start.ArgumentList.Add(argument);
        }
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append(e.Data, ready);
        process.ErrorDataReceived += (_, e) => Append(e.Data, ready);
        process.Exited += (_, _) =>
        {
            // Exited can come before the last lines were read: waiting without a timeout drains the redirected streams.
            process.WaitForExit();
            ready.TrySetException(new InvalidOperationException($"redis-server exited with {process.ExitCode} before it was ready:\n{Output}"));
        };
        _process = process;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(StartTimeout);
            await PingAsync().WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"redis-server did not answer PING within {StartTimeout.TotalSeconds:0} s:\n{Output}");
        }
    }

    // The log line says it listens; PING over a plain socket confirms that it answers commands (its data is loaded).
    private async Task PingAsync()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray());
        var buffer = new byte[64];
        var read = 0;
        while (read < 7)
        {
            var count = await stream.ReadAsync(buffer.AsMemory(read));
            if (count == 0)
            {
                break;
            }
            read += count;
        }
        var answer = Encoding.ASCII.GetString(buffer, 0, read);
        if (answer != "+PONG\r\n")
        {
            throw new InvalidOperationException($"redis-server answered PING with '{answer.Trim()}':\n{Output}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line, TaskCompletionSource ready)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
        if (line.Contains(ReadyLine, StringComparison.Ordinal))
        {
            ready.TrySetResult();
        }
    }
}
