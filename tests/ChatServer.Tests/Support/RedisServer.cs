using ChatServer.LoadTest;

namespace ChatServer.Tests.Support;

/// <summary>A <c>redis-server</c> of the test's own, on a free loopback port with a temporary directory, persisting
/// every write to its append-only file before answering (<c>appendfsync always</c>, no RDB snapshots), so that it can be
/// killed with SIGKILL and started again on the same port and directory, replaying that file. The process is the load
/// generator's <see cref="RedisProcess"/> (linked from benchmarks/ChatServer.LoadTest), so both run Redis alike.</summary>
/// <remarks>Without <c>redis-server</c> (<c>/usr/bin/redis-server</c> or <c>REDIS_SERVER_PATH</c>) the test is skipped
/// with a message, or fails when <c>REQUIRE_REDIS=1</c> (CI), as the browser tests do with Chromium.</remarks>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly RedisProcess _process;

    private RedisServer(RedisProcess process) => _process = process;

    /// <summary>Gets the loopback port the server listens on, the same across restarts.</summary>
    public int Port => _process.Port;

    /// <summary>Gets the server's temporary directory, which holds its append-only file.</summary>
    public string Directory => _process.Directory;

    /// <summary>Gets the address to connect to.</summary>
    public string EndPoint => _process.EndPoint;

    /// <summary>Gets what the server wrote to its log (every run since the start), for diagnostics.</summary>
    public string Output => _process.Output;

    /// <summary>Gets a value indicating whether a missing <c>redis-server</c> must fail the test instead of skipping it.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("REQUIRE_REDIS") == "1";

    /// <summary>Starts a server and waits until it answers PING; skips the test when <c>redis-server</c> is missing.</summary>
    /// <returns>The running server.</returns>
    public static async Task<RedisServer> StartAsync()
    {
        var executable = RedisProcess.ExecutablePath;
        if (!File.Exists(executable))
        {
            var reason = $"redis-server was not found at {executable}: install it with apt-get install redis-server (or set REDIS_SERVER_PATH).";
            if (Required)
            {
                throw new InvalidOperationException($"REQUIRE_REDIS=1 but {reason}");
            }
            Skip.If(true, reason);
        }
        return new RedisServer(await RedisProcess.StartAsync());
    }

    /// <summary>Kills the server with SIGKILL (nothing flushed beyond what it already wrote) and waits until it has exited.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>Starts the server again on the same port and directory (it replays its append-only file) and waits
    /// until it answers PING.</summary>
    public Task RestartAsync() => _process.RestartAsync();

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
