using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace ChatServer.Tests.Support;

/// <summary>A <c>redis-server</c> of the test's own, on a free loopback port with a temporary directory, persisting
/// every write to its append-only file before answering (<c>appendfsync always</c>, no RDB snapshots), so that it can be
/// killed with SIGKILL and started again on the same port and directory, replaying that file.</summary>
/// <remarks>Without <c>redis-server</c> (<c>/usr/bin/redis-server</c> or <c>REDIS_SERVER_PATH</c>) the test is skipped
/// with a message, or fails when <c>REQUIRE_REDIS=1</c> (CI), as the browser tests do with Chromium.</remarks>
public sealed class RedisServer : IAsyncDisposable
{
    // Redis logs this line once it has loaded its data (the append-only file) and listens.
    private const string ReadyLine = "Ready to accept connections";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly string _executable;
    private readonly StringBuilder _output = new();
    private Process? _process;
    private TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RedisServer(string executable, int port, string directory)
    {
        _executable = executable;
        Port = port;
        Directory = directory;
    }

    /// <summary>Gets the loopback port the server listens on, the same across restarts.</summary>
    public int Port { get; }

    /// <summary>Gets the server's temporary directory, which holds its append-only file.</summary>
    public string Directory { get; }

    /// <summary>Gets the address to connect to.</summary>
    public string EndPoint => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Gets what the server wrote to its log (every run since the start), for diagnostics.</summary>
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

    /// <summary>Gets a value indicating whether a missing <c>redis-server</c> must fail the test instead of skipping it.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("REQUIRE_REDIS") == "1";

    private static string ExecutablePath =>
        Environment.GetEnvironmentVariable("REDIS_SERVER_PATH") is { Length: > 0 } configured ? configured : "/usr/bin/redis-server";

    /// <summary>Starts a server and waits until it answers PING; skips the test when <c>redis-server</c> is missing.</summary>
    /// <returns>The running server.</returns>
    public static async Task<RedisServer> StartAsync()
    {
        var executable = ExecutablePath;
        if (!File.Exists(executable))
        {
            var reason = $"redis-server was not found at {executable}: install it with apt-get install redis-server (or set REDIS_SERVER_PATH).";
            if (Required)
            {
                throw new InvalidOperationException($"REQUIRE_REDIS=1 but {reason}");
            }
            Skip.If(true, reason);
        }
        var directory = System.IO.Directory.CreateTempSubdirectory("redis-test-").FullName;
        var server = new RedisServer(executable, ServerProcess.FreePort(), directory);
        try
        {
            await server.RunAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>Kills the server with SIGKILL (nothing flushed beyond what it already wrote) and waits until it has exited.</summary>
    public async Task KillAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }
        process.Kill(entireProcessTree: false);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Starts the server again on the same port and directory (it replays its append-only file) and waits
    /// until it answers PING.</summary>
    public Task RestartAsync()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("The server is still running: kill it first.");
        }
        return RunAsync();
    }

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
        _ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = new ProcessStartInfo(_executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Every option on the command line: no configuration file. Durability as docs/scale-out.md recommends.
        string[] arguments =
        [
            "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--dir", Directory,
            "--appendonly", "yes",
            "--appendfsync", "always",
            "--save", "",
            "--daemonize", "no",
            "--logfile", "",
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var ready = _ready;
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

    // The log line says it listens; PING over a plain socket confirms that it answers commands (the data is loaded).
    private async Task PingAsync()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(System.Net.IPAddress.Loopback, Port);
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
