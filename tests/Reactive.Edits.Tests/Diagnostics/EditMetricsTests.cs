using Reactive.Edits.Diagnostics;
using Reactive.Edits.Testing;

namespace Reactive.Edits.Tests.Diagnostics;

/// <summary>The counters and the settle-time histogram, read through a MeterListener, with times in virtual time.</summary>
public sealed class EditMetricsTests : IDisposable
{
    private readonly TestClock _clock = new();
    private readonly MeasurementCollector _metrics = new();

    public void Dispose() => _metrics.Dispose();

    [Fact]
    public void Requested_CountsFirstAttemptsAndRetriesSeparately()
    {
        using var edits = CreateSet(EditPolicy.Concurrent);
        var first = edits.Request("a");
        edits.Request("b");
        first.Token.Reject(new InvalidOperationException("no"));

        edits.Retry(first.Id);

        _metrics.Sum(EditDiagnostics.Requested).Should().Be(2);
        _metrics.Sum(EditDiagnostics.Retried).Should().Be(1);
    }

    [Fact]
    public void SettledCounters_EachOutcome_CountedOnItsCounterWithItsOutcomeTag()
    {
        using var edits = CreateSet(EditPolicy.Concurrent);
        edits.Request("accepted").Token.Accept();
        edits.Request("accepted too").Token.Accept();
        edits.Request("rejected").Token.Reject(new InvalidOperationException("no"));
        edits.Request("timed out").Token.Reject(new EditTimeoutException(TimeSpan.FromSeconds(1)));
        edits.Request("cancelled").Token.Cancel();

        _metrics.Sum(EditDiagnostics.Accepted, "accepted").Should().Be(2);
        _metrics.Sum(EditDiagnostics.Rejected, "rejected").Should().Be(1);
        _metrics.Sum(EditDiagnostics.Rejected, "timed_out").Should().Be(1);
        _metrics.Sum(EditDiagnostics.Cancelled, "cancelled").Should().Be(1);
        _metrics.Sum(EditDiagnostics.Cancelled).Should().Be(1);
    }

    [Fact]
    public void CancelledCounter_Supersede_IsTaggedSuperseded()
    {
        using var edits = CreateSet(EditPolicy.LatestWins);
        edits.Request("a");
        edits.Request("b");

        _metrics.Sum(EditDiagnostics.Cancelled, "superseded").Should().Be(1);
        _metrics.Sum(EditDiagnostics.Cancelled, "cancelled").Should().Be(0);
    }

    [Fact]
    public void DiscardedAndRefused_AreCounted()
    {
        using var edits = CreateSet(EditPolicy.SingleFlight);
        var rejected = edits.Request("a");
        rejected.Token.Reject(new InvalidOperationException("no"));
        edits.Request("b");
        edits.TryRequest("refused", out _);
        edits.Retry(rejected.Id).Should().BeFalse();

        edits.Discard(rejected.Id);

        _metrics.Sum(EditDiagnostics.Refused).Should().Be(2);
        _metrics.Sum(EditDiagnostics.Discarded).Should().Be(1);
        _metrics.Sum(EditDiagnostics.Requested).Should().Be(2);
    }

    [Fact]
    public void SettleTime_IsTheVirtualTimeFromTheAttemptsRequestToItsSettlement_InSeconds()
    {
        using var edits = CreateSet(EditPolicy.Concurrent);
        var accepted = edits.Request("accepted");
        _clock.AdvanceBy(TimeSpan.FromSeconds(2));
        accepted.Token.Accept();
        var rejected = edits.Request("rejected");
        _clock.AdvanceBy(TimeSpan.FromMilliseconds(500));
        rejected.Token.Reject(new InvalidOperationException("no"));
        _clock.AdvanceBy(TimeSpan.FromSeconds(10));
        edits.Retry(rejected.Id);
        _clock.AdvanceBy(TimeSpan.FromSeconds(1));

        edits.TryGetEdit(rejected.Id, out var retried).Should().BeTrue();
        retried!.Token.Accept();

        _metrics.Of(EditDiagnostics.SettleTime).Select(m => (m.Value, m.Outcome)).Should().Equal(
            (2.0, "accepted"),
            (0.5, "rejected"),
            (1.0, "accepted"));
    }

    [Fact]
    public void SettleTime_TimeoutOfACommitter_IsRecordedAsTimedOutAtTheTimeout()
    {
        using var edits = CreateSet(EditPolicy.Concurrent);
        using var committer = edits.Commit((_, _, _) => new TaskCompletionSource().Task, new CommitOptions { Timeout = TimeSpan.FromSeconds(3) });
        edits.Request("slow");

        _clock.AdvanceBy(TimeSpan.FromSeconds(3));

        _metrics.Of(EditDiagnostics.SettleTime).Select(m => (m.Value, m.Outcome)).Should().Equal((3.0, "timed_out"));
        _metrics.Sum(EditDiagnostics.Rejected, "timed_out").Should().Be(1);
    }

    [Fact]
    public void Measurements_OfAnotherSet_CarryItsOwnName()
    {
        using var other = new EditSet<string>(new EditSetOptions { Name = "another-set" }, _clock);
        using var edits = CreateSet(EditPolicy.Concurrent);

        other.Request("other").Token.Accept();
        edits.Request("mine");

        _metrics.Sum(EditDiagnostics.Requested).Should().Be(1);
        _metrics.Sum(EditDiagnostics.Accepted).Should().Be(0);
    }

    private EditSet<string> CreateSet(EditPolicy policy) =>
        new(new EditSetOptions { Policy = policy, Name = _metrics.SetName }, _clock);
}
