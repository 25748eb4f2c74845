namespace ChatServer.LoadTest;

/// <summary>What one fault phase of the cluster mode counted. Lost, stored twice, delivered twice and missing at a
/// staying reader must all be 0.</summary>
/// <param name="Phase">The phase's name.</param>
/// <param name="Sent">Sends made (distinct edit ids).</param>
/// <param name="Acked">Sends whose first answer was an ack.</param>
/// <param name="Rejected">Sends whose first answer was a reject.</param>
/// <param name="Unsettled">Sends with no answer by the end of the drain.</param>
/// <param name="Resent">Sends sent again, same id and text, next attempt, after their client moved to another node.</param>
/// <param name="PresentInLog">Acked sends whose message Redis holds (messages hash, same text, and in the order).</param>
/// <param name="DistinctInLog">This phase's sends with at least one message event in the stream.</param>
/// <param name="Lost">Acked sends missing from Redis.</param>
/// <param name="StoredTwice">Sends with more than one message event in the stream.</param>
/// <param name="DeliveredTwice">Messages one connection received twice.</param>
/// <param name="ReadersMoved">Connections whose node went away and that moved to another node.</param>
/// <param name="StayingReaders">Connections that never moved (each must have received every acked message).</param>
/// <param name="MissingAtStayingReaders">Acked messages a staying connection did not receive, summed over them.</param>
/// <param name="FaultSeconds">How long the fault lasted (0 for a kill; the outage for Redis).</param>
/// <param name="HitByFault">The sends not settled when the fault began, made before it was over, with their times.</param>
/// <param name="FirstMoveReason">Why the first connection that moved was closed.</param>
/// <param name="GeneratorBusy">The generator's CPU over the phase's wall time, as a share of its cores.</param>
public sealed record FaultResult(
    string Phase,
    int Sent,
    int Acked,
    int Rejected,
    int Unsettled,
    int Resent,
    int PresentInLog,
    int DistinctInLog,
    int Lost,
    int StoredTwice,
    long DeliveredTwice,
    int ReadersMoved,
    int StayingReaders,
    long MissingAtStayingReaders,
    double FaultSeconds,
    IReadOnlyList<SettleTime> HitByFault,
    string? FirstMoveReason,
    double GeneratorBusy)
{
    /// <summary>Gets a value indicating whether nothing was lost, doubled or left unsettled.</summary>
    public bool Clean => Lost == 0 && StoredTwice == 0 && DeliveredTwice == 0 && MissingAtStayingReaders == 0 && Unsettled == 0 && Rejected == 0 && PresentInLog == Acked;
}

/// <summary>When one send hit by a fault was made and settled, in seconds from the fault's start (negative: before it).</summary>
public sealed record SettleTime(string Text, double SentAt, double? SettledAt, bool Accepted);
