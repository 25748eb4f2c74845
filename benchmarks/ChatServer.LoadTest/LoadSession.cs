using System.Diagnostics;
using System.Globalization;
using System.Numerics;

namespace ChatServer.LoadTest;

/// <summary>N connections to one server, the first S of them senders, and open-loop runs over them. Every receipt
/// goes to the current <see cref="LoadPhase"/>; messages of an earlier phase that arrive late are ignored.</summary>
public sealed class LoadSession : ILoadSink, IAsyncDisposable
{
    private readonly ILoadTarget _target;
    private readonly List<ILoadConnection> _connections = [];
    private volatile LoadPhase? _phase;
    private int _earlyCloses;
    private string? _firstCloseReason;
    private int _phases;

    private LoadSession(ILoadTarget target) => _target = target;

    public int EarlyCloses => Volatile.Read(ref _earlyCloses);

    public string? FirstCloseReason => _firstCloseReason;

    public int Count => _connections.Count;

    /// <summary>Opens <paramref name="clients"/> connections, 64 at a time; the first <paramref name="senders"/> log in.</summary>
    public static async Task<LoadSession> ConnectAsync(ILoadTarget target, int clients, int senders, string userPrefix = "sender")
    {
        ArgumentNullException.ThrowIfNull(target);
        var session = new LoadSession(target);
        var connections = new ILoadConnection[clients];
        await Parallel.ForEachAsync(Enumerable.Range(0, clients), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (client, cancellationToken) =>
        {
            var user = client < senders ? $"{userPrefix}-{client}" : null;
            connections[client] = await target.ConnectAsync(client, user, session, cancellationToken);
        });
        session._connections.AddRange(connections);
        return session;
    }

    /// <summary>Runs one open-loop phase: every sender sends at rate / S per second, on a fixed schedule spread over
    /// the senders; latency counts from the scheduled time, so a late send is charged to the server (no coordinated
    /// omission). Then waits up to <paramref name="drain"/> for every ack and every delivery.</summary>
    public async Task<PhaseResult> RunAsync(int senders, double rate, TimeSpan duration, TimeSpan drain)
    {
        var phase = new LoadPhase(Interlocked.Increment(ref _phases), _connections.Count, senders, rate, duration);
        var closesBefore = EarlyCloses;
        var cpuBefore = _target.ServerCpuSeconds();
        var generatorBefore = Environment.CpuUsage.TotalTime;
        var wall = Stopwatch.StartNew();
        var interval = Stopwatch.Frequency * senders / rate;
        phase.Started = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10;
        _phase = phase;
        await Task.WhenAll(Enumerable.Range(0, senders).Select(sender => Task.Run(() => SendLoopAsync(phase, sender, interval))));
        var sent = phase.Sent;
        var deadline = Stopwatch.StartNew();
        while (!phase.Settled(sent) && deadline.Elapsed < drain)
        {
            await Task.Delay(50);
        }
        var cpu = _target.ServerCpuSeconds() - cpuBefore;
        var generatorCpu = (Environment.CpuUsage.TotalTime - generatorBefore).TotalSeconds;
        var result = phase.Result(_target.Name, cpu, generatorCpu, wall.Elapsed.TotalSeconds, GeneratorCores(), EarlyCloses - closesBefore);
        _phase = null;
        return result;
    }

    // The cores this process may run on (1 when Program pinned it): the generator's busy share is of these.
    public static int GeneratorCores()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsWindows())
        {
            return Environment.ProcessorCount;
        }
        using var self = Process.GetCurrentProcess();
        return Math.Max(1, BitOperations.PopCount((ulong)(long)self.ProcessorAffinity));
    }

    // The lean readers' path, for every target: parsed from the frame's bytes, with nothing allocated per delivery.
    public void OnMessage(int client, ReadOnlySpan<byte> utf8Text)
    {
        var phase = _phase;
        if (phase is not null
            && TryParseInt(ref utf8Text, out var id, ':') && id == phase.Id
            && TryParseInt(ref utf8Text, out var sender, ':')
            && TryParseInt(ref utf8Text, out var sequence, end: true))
        {
            phase.OnMessage(client, sender, sequence);
        }
    }

    // Reads an integer, then the separator (or the end of the text); advances past both.
    private static bool TryParseInt(ref ReadOnlySpan<byte> text, out int value, char separator = '\0', bool end = false)
    {
        if (!System.Buffers.Text.Utf8Parser.TryParse(text, out value, out var used))
        {
            return false;
        }
        if (end)
        {
            return used == text.Length;
        }
        if (used >= text.Length || text[used] != (byte)separator)
        {
            return false;
        }
        text = text[(used + 1)..];
        return true;
    }

    // The full clients' path (the senders): the same parse as the lean readers'.
    public void OnMessage(int client, string text) => OnMessage(client, System.Text.Encoding.UTF8.GetBytes(text));

    public void OnAck(Guid id) => _phase?.OnAck(id);

    public void OnReject(Guid id, string code) => _phase?.OnReject(id);

    public void OnClosed(int client, string reason)
    {
        Interlocked.CompareExchange(ref _firstCloseReason, $"client {client}: {reason}", null);
        Interlocked.Increment(ref _earlyCloses);
    }

    /// <summary>Closes the connections, 64 at a time.</summary>
    public async ValueTask DisposeAsync() =>
        await Parallel.ForEachAsync(_connections, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (connection, _) => await connection.DisposeAsync());

    private async Task SendLoopAsync(LoadPhase phase, int sender, double interval)
    {
        var connection = _connections[sender];
        // Senders are spread over the interval, so that the offered load is smooth rather than S messages at once.
        var offset = interval * sender / phase.Senders;
        for (var sequence = 0; sequence < phase.PerSender; sequence++)
        {
            var scheduled = phase.Started + (long)(offset + sequence * interval);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), scheduled);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }
            try
            {
                var id = await connection.SendAsync(LoadPhase.Text(phase.Id, sender, sequence));
                phase.RecordSend(sender, sequence, scheduled, id);
            }
            catch (Exception exception) when (exception is System.Net.WebSockets.WebSocketException or System.Net.Sockets.SocketException or InvalidOperationException or OperationCanceledException)
            {
                // The connection is gone; its close is counted, and the message stays unacked and undelivered.
                return;
            }
        }
    }
}
