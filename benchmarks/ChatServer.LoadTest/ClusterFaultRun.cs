using System.Collections.Concurrent;
using System.Diagnostics;

namespace ChatServer.LoadTest;

/// <summary>One fault phase of the cluster mode: clients on every node (each a <see cref="FailoverConnection"/>),
/// senders at a fixed rate, a fault partway (a node killed, Redis killed and restarted), then a wait until every send
/// settled; then what was acked is checked against the log as Redis holds it and against what each reader received.</summary>
public sealed class ClusterFaultRun : ILoadSink
{
    private readonly string _label;
    private readonly ConcurrentDictionary<Guid, SendRecord> _sends = new();
    // Per client, the texts of this phase its current connection received, with how often; replaced when it moves, so
    // that a duplicate is one connection receiving one message twice.
    private readonly Dictionary<string, int>[] _received;
    private readonly bool[] _moved;
    private long _duplicateDeliveries;
    private string? _firstMoveReason;

    private ClusterFaultRun(string label, int clients)
    {
        _label = label;
        _received = [.. Enumerable.Range(0, clients).Select(_ => new Dictionary<string, int>())];
        _moved = new bool[clients];
    }

    /// <summary>Runs one phase.</summary>
    /// <param name="cluster">The nodes and Redis.</param>
    /// <param name="label">The phase's name, also the prefix of its texts.</param>
    /// <param name="clients">Connections, spread round-robin over the nodes.</param>
    /// <param name="senders">The first connections, which log in and send.</param>
    /// <param name="rate">Messages per second over all senders.</param>
    /// <param name="duration">How long the senders send.</param>
    /// <param name="faultAfter">When the fault starts, from the first send.</param>
    /// <param name="fault">The fault; returns once it is over (the node is dead, or Redis answers again).</param>
    /// <param name="drain">How long to wait, after the last send, for every send to settle and reach every reader.</param>
    public static async Task<FaultResult> RunAsync(
        ClusterTarget cluster, string label, int clients, int senders, double rate, TimeSpan duration,
        TimeSpan faultAfter, Func<Task> fault, TimeSpan drain)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(fault);
        var run = new ClusterFaultRun(label, clients);
        var connections = new FailoverConnection[clients];
        await Parallel.ForEachAsync(Enumerable.Range(0, clients), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (client, cancellationToken) =>
        {
            var cookie = client < senders ? await cluster.Nodes[cluster.NodeOf(client)].LoginAsync($"{label}-sender-{client}", cancellationToken) : null;
            connections[client] = await FailoverConnection.OpenAsync(cluster, client, cookie, run, cancellationToken);
        });
        try
        {
            var generatorBefore = Environment.CpuUsage.TotalTime;
            var wall = Stopwatch.StartNew();
            var started = Stopwatch.GetTimestamp();
            long faultStart = 0, faultEnd = 0;
            var faulting = Task.Run(async () =>
            {
                await Task.Delay(faultAfter);
                faultStart = Stopwatch.GetTimestamp();
                await fault();
                faultEnd = Stopwatch.GetTimestamp();
            });
            var interval = TimeSpan.FromSeconds(senders / rate);
            var perSender = (int)Math.Ceiling(rate / senders * duration.TotalSeconds);
            await Task.WhenAll(Enumerable.Range(0, senders).Select(sender => Task.Run(async () =>
            {
                for (var sequence = 0; sequence < perSender; sequence++)
                {
                    var scheduled = started + (long)((sequence + (double)sender / senders) * interval.TotalSeconds * Stopwatch.Frequency);
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), scheduled);
                    if (wait > TimeSpan.FromMilliseconds(1))
                    {
                        await Task.Delay(wait);
                    }
                    var id = Guid.NewGuid();
                    var text = $"{label}:{sender}:{sequence}";
                    // Recorded before it goes out: its ack may come back before SendAsync returns.
                    run._sends[id] = new SendRecord(sender, text, Stopwatch.GetTimestamp());
                    await connections[sender].SendAsync(id, text);
                }
            })));
            await faulting;
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < drain && !(run.AllSettled() && run.EveryStayingReaderHasAll()))
            {
                await Task.Delay(100);
            }
            var generatorBusy = (Environment.CpuUsage.TotalTime - generatorBefore).TotalSeconds / (wall.Elapsed.TotalSeconds * LoadSession.GeneratorCores());
            var log = await ClusterLog.ReadAsync(cluster.Redis.EndPoint);
            return run.Result(log, connections, faultStart, faultEnd, generatorBusy);
        }
        finally
        {
            await Parallel.ForEachAsync(connections, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (connection, _) => await connection.DisposeAsync());
        }
    }

    public void OnMessage(int client, string text)
    {
        if (!text.StartsWith(_label + ":", StringComparison.Ordinal))
        {
            return;
        }
        lock (_received[client])
        {
            var received = _received[client];
            var count = received.GetValueOrDefault(text) + 1;
            received[text] = count;
            if (count == 2)
            {
                Interlocked.Increment(ref _duplicateDeliveries);
            }
        }
    }

    public void OnAck(Guid id) => Settle(id, accepted: true);

    public void OnReject(Guid id, string code) => Settle(id, accepted: false);

    public void OnClosed(int client, string reason)
    {
        Interlocked.CompareExchange(ref _firstMoveReason, $"client {client}: {reason}", null);
        lock (_received[client])
        {
            _moved[client] = true;
            _received[client].Clear();
        }
    }

    private void Settle(Guid id, bool accepted)
    {
        if (_sends.TryGetValue(id, out var send))
        {
            send.Settle(Stopwatch.GetTimestamp(), accepted);
        }
    }

    private bool AllSettled() => _sends.Values.All(send => send.SettledAt != 0);

    // The texts acked so far, against what each reader that never moved received.
    private bool EveryStayingReaderHasAll()
    {
        var acked = _sends.Values.Where(send => send.Accepted).Select(send => send.Text).ToArray();
        for (var client = 0; client < _received.Length; client++)
        {
            lock (_received[client])
            {
                if (!_moved[client] && acked.Any(text => !_received[client].ContainsKey(text)))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private FaultResult Result(ClusterLog log, FailoverConnection[] connections, long faultStart, long faultEnd, double generatorBusy)
    {
        var sends = _sends.ToArray();
        var acked = sends.Where(send => send.Value.Accepted).ToArray();
        var mine = sends.Where(send => log.MessageEvents.ContainsKey(send.Key)).ToArray();
        var staying = Enumerable.Range(0, _received.Length).Where(client => !_moved[client]).ToArray();
        long missing = 0;
        foreach (var client in staying)
        {
            lock (_received[client])
            {
                missing += acked.Count(send => !_received[client].ContainsKey(send.Value.Text));
            }
        }
        // A send was hit by the fault if it was not settled when the fault began and was made before the fault was over
        // for its sender: for a sender that moved, until its move completed.
        var hit = sends
            .Where(send =>
            {
                var end = Math.Max(faultEnd, connections[send.Value.Sender].MovedAt);
                return send.Value.SentAt <= end && (send.Value.SettledAt == 0 || send.Value.SettledAt > faultStart);
            })
            .OrderBy(send => send.Value.SentAt)
            .Select(send => new SettleTime(
                send.Value.Text,
                Stopwatch.GetElapsedTime(faultStart, send.Value.SentAt).TotalSeconds,
                send.Value.SettledAt == 0 ? null : Stopwatch.GetElapsedTime(faultStart, send.Value.SettledAt).TotalSeconds,
                send.Value.Accepted))
            .ToArray();
        return new FaultResult(
            _label,
            Sent: sends.Length,
            Acked: acked.Length,
            Rejected: sends.Count(send => send.Value.SettledAt != 0 && !send.Value.Accepted),
            Unsettled: sends.Count(send => send.Value.SettledAt == 0),
            Resent: connections.Sum(connection => connection.Resends),
            PresentInLog: acked.Count(send => log.Messages.TryGetValue(send.Key, out var text) && text == send.Value.Text && log.Ordered.Contains(send.Key)),
            DistinctInLog: mine.Length,
            Lost: acked.Count(send => !log.Messages.ContainsKey(send.Key) || !log.Ordered.Contains(send.Key)),
            StoredTwice: mine.Count(send => log.MessageEvents[send.Key] > 1),
            DeliveredTwice: Interlocked.Read(ref _duplicateDeliveries),
            ReadersMoved: _moved.Count(moved => moved),
            StayingReaders: staying.Length,
            MissingAtStayingReaders: missing,
            FaultSeconds: Stopwatch.GetElapsedTime(faultStart, faultEnd).TotalSeconds,
            HitByFault: hit,
            FirstMoveReason: _firstMoveReason,
            GeneratorBusy: generatorBusy);
    }

    /// <summary>One send: who made it, its text, when, and when and how it settled (its first answer).</summary>
    private sealed class SendRecord(int sender, string text, long sentAt)
    {
        private long _settledAt;
        private int _accepted;

        public int Sender => sender;

        public string Text => text;

        public long SentAt => sentAt;

        public long SettledAt => Interlocked.Read(ref _settledAt);

        public bool Accepted => Volatile.Read(ref _accepted) == 1;

        public void Settle(long time, bool accepted)
        {
            // Only the first answer settles a send (a resend's answer repeats it).
            if (Interlocked.CompareExchange(ref _settledAt, time, 0) == 0)
            {
                Volatile.Write(ref _accepted, accepted ? 1 : 0);
            }
        }
    }
}
