using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Reactive;
using System.Reactive.Linq;
using System.Text;

namespace ChatServer.Tests.Support;

/// <summary>HAProxy in front of chat nodes, configured from the template that <c>samples/ChatServer/cluster/run-cluster.sh</c>
/// uses (<c>haproxy.cfg.template</c>), on a free loopback port; its admin socket tells which nodes it sends to.</summary>
/// <remarks>Without <c>haproxy</c> (<c>/usr/sbin/haproxy</c> or <c>HAPROXY_PATH</c>) the test is skipped with a message,
/// or fails when <c>REQUIRE_HAPROXY=1</c> (CI).</remarks>
public sealed class Balancer : IAsyncDisposable
{
    private const string Backend = "nodes";
    private static readonly TimeSpan StateTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly string _socketPath;
    private readonly StringBuilder _output = new();

    private Balancer(Process process, int port, string socketPath)
    {
        _process = process;
        Port = port;
        _socketPath = socketPath;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
    }

    /// <summary>Gets the loopback port the balancer listens on.</summary>
    public int Port { get; }

    /// <summary>Gets the one address for every node: what a browser opens.</summary>
    public Uri Address => ServerProcess.AddressOf(Port);

    /// <summary>Gets what HAProxy wrote (its log: servers going up and down), for diagnostics.</summary>
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

    /// <summary>Gets a value indicating whether a missing <c>haproxy</c> must fail the test instead of skipping it.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("REQUIRE_HAPROXY") == "1";

    /// <summary>Gets the configuration template shared with <c>run-cluster.sh</c>.</summary>
    public static string TemplatePath => Path.Combine(Repository.Root, "samples", "ChatServer", "cluster", "haproxy.cfg.template");

    /// <summary>Gets the path of <c>haproxy</c>: <c>HAPROXY_PATH</c>, or Debian's.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("HAPROXY_PATH") is { Length: > 0 } configured ? configured : "/usr/sbin/haproxy";

    /// <summary>Skips the test when <c>haproxy</c> is missing (fails it under <c>REQUIRE_HAPROXY=1</c>).</summary>
    public static void SkipUnlessInstalled()
    {
        if (File.Exists(ExecutablePath))
        {
            return;
        }
        var reason = $"haproxy was not found at {ExecutablePath}: install it with apt-get install haproxy (or set HAPROXY_PATH).";
        if (Required)
        {
            throw new InvalidOperationException($"REQUIRE_HAPROXY=1 but {reason}");
        }
        Skip.If(true, reason);
    }

    /// <summary>Writes the template out for a balancer on <paramref name="port"/> in front of the nodes on
    /// <paramref name="nodePorts"/> (named <c>node1</c>, <c>node2</c>, … in that order).</summary>
    /// <returns>The configuration's text.</returns>
    public static string Configuration(string template, int port, string socketPath, IReadOnlyList<int> nodePorts)
    {
        var lines = new StringBuilder();
        foreach (var line in template.Split('\n'))
        {
            // Comments are copied as they are (they name the placeholders); the servers' placeholder is a line of its own.
            if (line.TrimStart().StartsWith('#'))
            {
                lines.Append(line).Append('\n');
                continue;
            }
            var placeholder = line.IndexOf("{{SERVERS}}", StringComparison.Ordinal);
            if (placeholder < 0)
            {
                lines.Append(line.Replace("{{BALANCER_PORT}}", port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                    .Replace("{{STATS_SOCKET}}", socketPath, StringComparison.Ordinal)).Append('\n');
                continue;
            }
            // One server line per node, indented as the placeholder is.
            for (var i = 0; i < nodePorts.Count; i++)
            {
                lines.Append(line[..placeholder]).Append(CultureInfo.InvariantCulture, $"server {NodeName(i)} 127.0.0.1:{nodePorts[i]} check").Append('\n');
            }
        }
        return lines.ToString().TrimEnd('\n') + "\n";
    }

    /// <summary>Starts HAProxy in the foreground on <paramref name="port"/> with its configuration in
    /// <paramref name="directory"/>, and waits until it sends to every node (each passed its health checks).</summary>
    public static async Task<Balancer> StartAsync(string directory, int port, IReadOnlyList<int> nodePorts)
    {
        SkipUnlessInstalled();
        var socketPath = Path.Combine(directory, "haproxy.sock");
        var configPath = Path.Combine(directory, "haproxy.cfg");
        await File.WriteAllTextAsync(configPath, Configuration(await File.ReadAllTextAsync(TemplatePath), port, socketPath, nodePorts));
        var start = new ProcessStartInfo(ExecutablePath)
        {
            ArgumentList = { "-db", "-f", configPath },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var balancer = new Balancer(new Process { StartInfo = start, EnableRaisingEvents = true }, port, socketPath);
        balancer._process.Start();
        balancer._process.BeginOutputReadLine();
        balancer._process.BeginErrorReadLine();
        try
        {
            for (var i = 0; i < nodePorts.Count; i++)
            {
                await balancer.WaitForStateAsync(i, "UP");
            }
        }
        catch
        {
            await balancer.DisposeAsync();
            throw;
        }
        return balancer;
    }

    /// <summary>Gets HAProxy's name of the node at <paramref name="index"/>.</summary>
    public static string NodeName(int index) => $"node{index + 1}";

    /// <summary>Waits until HAProxy reports the node at <paramref name="index"/> in <paramref name="state"/>
    /// (<c>UP</c>: it sends requests there; <c>DOWN</c>: its health checks failed and it sends none).</summary>
    public async Task WaitForStateAsync(int index, string state)
    {
        var name = NodeName(index);
        // The admin socket answers at once; asked again every 100 ms until the state is reached or HAProxy has exited.
        var tick = Observable.Interval(TimeSpan.FromMilliseconds(100)).Select(static _ => Unit.Default);
        try
        {
            await Faults.Eventually.HoldsAsync(() => _process.HasExited || StateOf(name) == state, $"HAProxy reports {name} {state}", tick, StateTimeout);
        }
        catch (TimeoutException timeout)
        {
            throw new TimeoutException($"{timeout.Message} It reports {StateOf(name) ?? "nothing"}. Its log:\n{Output}", timeout);
        }
        if (_process.HasExited)
        {
            _process.WaitForExit();
            throw new InvalidOperationException($"haproxy exited with {_process.ExitCode}:\n{Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        _process.Dispose();
    }

    // The "status" column of the server's row in "show stat" (CSV, its header line names the columns), or null while
    // the socket is not there yet.
    private string? StateOf(string server)
    {
        string table;
        try
        {
            table = Ask("show stat");
        }
        catch (SocketException)
        {
            return null;
        }
        var rows = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (rows.Length == 0 || !rows[0].StartsWith("# ", StringComparison.Ordinal))
        {
            return null;
        }
        var status = Array.IndexOf(rows[0][2..].Split(','), "status");
        foreach (var row in rows.Skip(1))
        {
            var cells = row.Split(',');
            if (cells.Length > status && cells[0] == Backend && cells[1] == server)
            {
                return cells[status];
            }
        }
        return null;
    }

    private string Ask(string command)
    {
        // A guard: HAProxy answers at once.
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { ReceiveTimeout = 5000 };
        socket.Connect(new UnixDomainSocketEndPoint(_socketPath));
        socket.Send(Encoding.ASCII.GetBytes(command + "\n"));
        var answer = new StringBuilder();
        var buffer = new byte[8192];
        int read;
        // HAProxy closes the socket after answering one command.
        while ((read = socket.Receive(buffer)) > 0)
        {
            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        return answer.ToString();
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
    }
}
