using Reactive.Edits.Testing;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Tests.Policies;

public sealed class QueuedPolicyTests
{
    private readonly TestClock _clock = new();
    private readonly EditSetOptions _options = new() { Policy = EditPolicy.Queued };

    [Fact]
    public void Request_WhileOneIsInFlight_WaitsPendingButNotStarted()
    {
        using var edits = new EditSet<string>(_options, _clock);
        using var started = edits.Started.Record();
        edits.Request("a");

        var second = edits.Request("b");

        second.Status.Should().Be(EditStatus.Pending);
        second.IsStarted.Should().BeFalse();
        started.Values.Select(e => e.Value).Should().Equal("a");
    }

    [Fact]
    public void Settle_InFlightEdit_StartsTheNextInRequestOrder()
    {
        using var edits = new EditSet<string>(_options, _clock);
        using var started = edits.Started.Record();
        var a = edits.Request("a");
        edits.Request("b");
        edits.Request("c");
        edits.Request("d");

        a.Token.Accept();
        started.Last.Token.Reject(new InvalidOperationException("no"));
        started.Last.Token.Cancel();

        started.Values.Select(e => e.Value).Should().Equal("a", "b", "c", "d");
    }

    [Fact]
    public void Request_Queued_HasOneInFlightAtATime()
    {
        using var edits = new EditSet<int>(_options, _clock);
        using var counts = edits.Counts.Record();
        using var started = edits.Started.Record();
        for (var i = 0; i < 5; i++)
        {
            edits.Request(i);
        }

        while (edits.Items.Count > 0)
        {
            started.Last.Token.Accept();
        }

        counts.Values.Should().OnlyContain(c => c.InFlight <= 1);
        started.Values.Select(e => e.Value).Should().Equal(0, 1, 2, 3, 4);
    }

    [Fact]
    public void Cancel_WaitingEdit_IsSkippedWhenItsTurnComes()
    {
        using var edits = new EditSet<string>(_options, _clock);
        using var started = edits.Started.Record();
        var a = edits.Request("a");
        var b = edits.Request("b");
        edits.Request("c");

        edits.Cancel(b.Id).Should().Be(EditCancellation.BeforeStart);
        a.Token.Accept();

        started.Values.Select(e => e.Value).Should().Equal("a", "c");
    }

    [Fact]
    public void Retry_WhileOneIsInFlight_JoinsTheBackOfTheQueue()
    {
        using var edits = new EditSet<string>(_options, _clock);
        using var started = edits.Started.Record();
        var a = edits.Request("a");
        a.Token.Reject(new InvalidOperationException("no"));
        var b = edits.Request("b");
        edits.Request("c");

        edits.Retry(a.Id).Should().BeTrue();
        edits.TryGetEdit(a.Id, out var retried).Should().BeTrue();
        retried!.IsStarted.Should().BeFalse();
        b.Token.Accept();
        started.Last.Token.Accept();

        started.Values.Select(e => (e.Value, e.Attempt)).Should().Equal(("a", 1), ("b", 1), ("c", 1), ("a", 2));
    }
}
