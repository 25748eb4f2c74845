using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reactive.Concurrency;

namespace Reactive.Edits.Diagnostics;

/// <summary>Records one edit set's measurements on the shared meter.</summary>
internal sealed class EditMetrics(string setName)
{
    // Shared with the remote package, whose instruments report on the same meter.
    internal static readonly Meter Meter = new(EditDiagnostics.MeterName, typeof(EditMetrics).Assembly.GetName().Version?.ToString(3));
    private static readonly Counter<long> RequestedCounter = Meter.CreateCounter<long>(EditDiagnostics.Requested, "{edit}", "Edits requested.");
    private static readonly Counter<long> AcceptedCounter = Meter.CreateCounter<long>(EditDiagnostics.Accepted, "{edit}", "Edit attempts accepted.");
    private static readonly Counter<long> RejectedCounter = Meter.CreateCounter<long>(EditDiagnostics.Rejected, "{edit}", "Edit attempts rejected, timeouts included.");
    private static readonly Counter<long> CancelledCounter = Meter.CreateCounter<long>(EditDiagnostics.Cancelled, "{edit}", "Edit attempts cancelled or superseded.");
    private static readonly Counter<long> RetriedCounter = Meter.CreateCounter<long>(EditDiagnostics.Retried, "{edit}", "Rejected edits retried.");
    private static readonly Counter<long> DiscardedCounter = Meter.CreateCounter<long>(EditDiagnostics.Discarded, "{edit}", "Rejected edits discarded.");
    private static readonly Counter<long> RefusedCounter = Meter.CreateCounter<long>(EditDiagnostics.Refused, "{edit}", "Requests refused by the policy.");
    private static readonly Histogram<double> SettleTimeHistogram = Meter.CreateHistogram<double>(EditDiagnostics.SettleTime, "s", "Time from an attempt's request to its settlement.");

    private readonly KeyValuePair<string, object?> _setTag = new(EditDiagnostics.SetTag, setName);

    public void Requested() => RequestedCounter.Add(1, _setTag);

    public void Retried() => RetriedCounter.Add(1, _setTag);

    public void Discarded() => DiscardedCounter.Add(1, _setTag);

    public void Refused() => RefusedCounter.Add(1, _setTag);

    // The clock is read only when someone listens: with no listener a settle reads no time at all.
    public void Settled(EditStatus outcome, Exception? error, DateTimeOffset attemptRequestedAt, IScheduler clock)
    {
        var (counter, name) = outcome switch
        {
            EditStatus.Accepted => (AcceptedCounter, "accepted"),
            EditStatus.Rejected => (RejectedCounter, error is TimeoutException ? "timed_out" : "rejected"),
            EditStatus.Superseded => (CancelledCounter, "superseded"),
            _ => (CancelledCounter, "cancelled"),
        };

        if (!counter.Enabled && !SettleTimeHistogram.Enabled)
        {
            return;
        }

        var tags = new TagList { _setTag, { EditDiagnostics.OutcomeTag, name } };
        counter.Add(1, tags);
        SettleTimeHistogram.Record((clock.Now - attemptRequestedAt).TotalSeconds, tags);
    }
}
