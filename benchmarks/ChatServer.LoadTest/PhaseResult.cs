namespace ChatServer.LoadTest;

/// <summary>What one run at one offered rate measured. Per-sender arrays are indexed by sender.</summary>
public sealed record PhaseResult(
    string Target,
    double OfferedRate,
    int Clients,
    int Senders,
    TimeSpan Duration,
    long[] SentPerSender,
    long[] AckedPerSender,
    long[] RejectedPerSender,
    long[] LostPerSender,
    long[] DuplicatesPerSender,
    long[] ReorderedPerSender,
    long Delivered,
    double DeliveredPerSecond,
    int FewestReceipts,
    int MostReceipts,
    Percentiles Ack,
    Percentiles SeenByAll,
    double ServerCpuSeconds,
    double GeneratorCpuSeconds,
    double WallSeconds,
    int GeneratorCores,
    int EarlyCloses)
{
    /// <summary>The generator's busy share above which a run measures the generator rather than the server.</summary>
    public const double GeneratorBusyLimit = 0.70;

    public long Sent => SentPerSender.Sum();

    public long Unacked => Sent - AckedPerSender.Sum() - RejectedPerSender.Sum();

    public long Lost => LostPerSender.Sum();

    public long Duplicates => DuplicatesPerSender.Sum();

    public long Reordered => ReorderedPerSender.Sum();

    /// <summary>Gets the load generator's CPU time over the run's wall time, as a share of the cores it may run on
    /// (<see cref="GeneratorCores"/>: 1 when pinned); near 1 means the figures are bounded by the generator.</summary>
    public double GeneratorBusy => GeneratorCpuSeconds / (WallSeconds * GeneratorCores);

    /// <summary>Gets a value indicating whether the generator was above <see cref="GeneratorBusyLimit"/>: such a run is
    /// invalid, neither a pass nor a fail of the server's capacity.</summary>
    public bool GeneratorLimited => GeneratorBusy > GeneratorBusyLimit;

    /// <summary>Gets the server's share of its one core (pinned) over the run.</summary>
    public double ServerBusy => ServerCpuSeconds / WallSeconds;

    public double DeliveriesPerCpuSecond => ServerCpuSeconds > 0 ? Delivered / ServerCpuSeconds : double.NaN;

    /// <summary>Gets a value indicating whether the delivery invariants hold: everything sent was acked, and reached
    /// every client once and in order, and no connection closed early.</summary>
    public bool Clean => Lost == 0 && Duplicates == 0 && Reordered == 0 && Unacked == 0 && RejectedPerSender.Sum() == 0 && EarlyCloses == 0;
}
