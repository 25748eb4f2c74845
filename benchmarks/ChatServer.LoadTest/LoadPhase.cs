using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;

namespace ChatServer.LoadTest;

/// <summary>The record of one open-loop run at one offered rate: when each message was scheduled, who received it,
/// which were acked, and the latency histograms (microseconds, from the scheduled send time).</summary>
public sealed class LoadPhase
{
    private readonly object _histogramGate = new();
    private readonly long[][] _scheduled;
    private readonly int[][] _receipts;
    private readonly BitArray[] _seen;
    private readonly int[][] _lastSequence;
    private readonly long[] _duplicates;
    private readonly long[] _reordered;
    private readonly long[] _acked;
    private readonly long[] _rejected;
    private readonly int[] _receiptsPerClient;
    private readonly ConcurrentDictionary<Guid, (int Sender, int Sequence)> _pending = new();
    // Acks that arrived before their send was recorded (the id is known only once the send returns), with their time.
    private readonly Dictionary<Guid, (long Time, bool Accepted)> _early = [];
    private long _complete;
    private long _lastReceipt;

    public LoadPhase(int id, int clients, int senders, double rate, TimeSpan duration)
    {
        Id = id;
        Clients = clients;
        Senders = senders;
        Rate = rate;
        Duration = duration;
        PerSender = (int)Math.Ceiling(rate / senders * duration.TotalSeconds);
        _scheduled = [.. Enumerable.Range(0, senders).Select(_ => new long[PerSender])];
        _receipts = [.. Enumerable.Range(0, senders).Select(_ => new int[PerSender])];
        _seen = [.. Enumerable.Range(0, clients).Select(_ => new BitArray(senders * PerSender))];
        _lastSequence = [.. Enumerable.Range(0, clients).Select(_ => Enumerable.Repeat(-1, senders).ToArray())];
        _duplicates = new long[senders];
        _reordered = new long[senders];
        _acked = new long[senders];
        _rejected = new long[senders];
        _receiptsPerClient = new int[clients];
    }

    public int Id { get; }

    public int Clients { get; }

    public int Senders { get; }

    public double Rate { get; }

    public TimeSpan Duration { get; }

    public int PerSender { get; }

    public LongHistogram AckLatency { get; } = NewHistogram();

    public LongHistogram SeenByAllLatency { get; } = NewHistogram();

    public long Started { get; set; }

    /// <summary>Gets the number of messages sent so far.</summary>
    public long Sent => _scheduled.Sum(times => times.Count(time => time != 0));

    public static string Text(int phase, int sender, int sequence) => $"{phase}:{sender}:{sequence}";

    public void RecordSend(int sender, int sequence, long scheduled, Guid id)
    {
        _scheduled[sender][sequence] = scheduled;
        (long Time, bool Accepted) early;
        lock (_early)
        {
            if (!_early.Remove(id, out early))
            {
                _pending[id] = (sender, sequence);
                return;
            }
        }
        Settle((sender, sequence), early.Time, early.Accepted);
    }

    public void OnMessage(int client, int sender, int sequence)
    {
        if (client >= Clients || sender >= Senders || sequence >= PerSender)
        {
            return;
        }
        var now = Stopwatch.GetTimestamp();
        var index = sender * PerSender + sequence;
        // One receive loop per client: its own bits and counters need no lock.
        if (_seen[client][index])
        {
            Interlocked.Increment(ref _duplicates[sender]);
            return;
        }
        _seen[client][index] = true;
        if (sequence < _lastSequence[client][sender])
        {
            Interlocked.Increment(ref _reordered[sender]);
        }
        else
        {
            _lastSequence[client][sender] = sequence;
        }
        _receiptsPerClient[client]++;
        Volatile.Write(ref _lastReceipt, now);
        if (Interlocked.Increment(ref _receipts[sender][sequence]) == Clients)
        {
            Interlocked.Increment(ref _complete);
            Record(SeenByAllLatency, now - Volatile.Read(ref _scheduled[sender][sequence]));
        }
    }

    public void OnAck(Guid id) => OnOutcome(id, accepted: true);

    public void OnReject(Guid id) => OnOutcome(id, accepted: false);

    private void OnOutcome(Guid id, bool accepted)
    {
        var now = Stopwatch.GetTimestamp();
        (int Sender, int Sequence) message;
        lock (_early)
        {
            if (!_pending.TryRemove(id, out message))
            {
                _early[id] = (now, accepted);
                return;
            }
        }
        Settle(message, now, accepted);
    }

    private void Settle((int Sender, int Sequence) message, long time, bool accepted)
    {
        if (accepted)
        {
            Interlocked.Increment(ref _acked[message.Sender]);
            Record(AckLatency, time - _scheduled[message.Sender][message.Sequence]);
        }
        else
        {
            Interlocked.Increment(ref _rejected[message.Sender]);
        }
    }

    /// <summary>Gets a value indicating whether every message sent was acked and seen by every client.</summary>
    public bool Settled(long sent) => Interlocked.Read(ref _complete) == sent && _pending.IsEmpty;

    public PhaseResult Result(string target, double cpuSeconds, double generatorCpuSeconds, double wallSeconds, int generatorCores, int earlyCloses)
    {
        var sentPerSender = _scheduled.Select(times => (long)times.Count(time => time != 0)).ToArray();
        var lostPerSender = new long[Senders];
        for (var sender = 0; sender < Senders; sender++)
        {
            for (var sequence = 0; sequence < PerSender; sequence++)
            {
                if (_scheduled[sender][sequence] != 0)
                {
                    lostPerSender[sender] += Clients - Volatile.Read(ref _receipts[sender][sequence]);
                }
            }
        }
        var delivered = _receiptsPerClient.Sum(count => (long)count);
        var elapsed = Stopwatch.GetElapsedTime(Started, Math.Max(Volatile.Read(ref _lastReceipt), Started + 1));
        return new PhaseResult(
            target, Rate, Clients, Senders, Duration,
            sentPerSender, [.. _acked], [.. _rejected], lostPerSender, [.. _duplicates], [.. _reordered],
            delivered, delivered / elapsed.TotalSeconds,
            _receiptsPerClient.Min(), _receiptsPerClient.Max(),
            Percentiles.Of(AckLatency), Percentiles.Of(SeenByAllLatency),
            cpuSeconds, generatorCpuSeconds, wallSeconds, generatorCores, earlyCloses);
    }

    private void Record(LongHistogram histogram, long elapsedTimestamp)
    {
        var microseconds = Math.Max(1, elapsedTimestamp * 1_000_000 / Stopwatch.Frequency);
        lock (_histogramGate)
        {
            histogram.RecordValue(Math.Min(microseconds, histogram.HighestTrackableValue));
        }
    }

    // 1 µs to 10 minutes, 3 significant digits.
    private static LongHistogram NewHistogram() => new(TimeSpan.FromMinutes(10).Ticks / 10, 3);
}
