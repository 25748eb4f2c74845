using Reactive.Edits.Testing;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Tests.Policies;

public sealed class CoalescingPolicyTests
{
    private readonly TestClock _clock = new();
    private readonly EditSetOptions _options = new() { Policy = EditPolicy.Coalescing };

    [Fact]
    public void Request_WhileOneIsInFlight_WaitsWithoutDisturbingIt()
    {
        using var edits = new EditSet<string>(_options, _clock);
        var inFlight = edits.Request("a");

        var waiting = edits.Request("b");

        waiting.IsStarted.Should().BeFalse();
        inFlight.Token.IsSpent.Should().BeFalse();
        inFlight.Token.CancellationToken.IsCancellationRequested.Should().BeFalse();
    }

    [Fact]
    public void Request_WhileOneIsWaiting_SupersedesTheWaitingOne()
    {
        using var edits = new EditSet<string>(_options, _clock);
        using var recorder = new EditRecorder<string>(edits);
        edits.Request("a");
        var b = edits.Request("b");

        var c = edits.Request("c");

        recorder.KindsOf(b.Id).Should().Equal(EditEventKind.Requested, EditEventKind.Superseded);
        b.Token.IsSpent.Should().BeTrue();
        edits.Items.Select(e => e.Value).Should().BeEquivalentTo(["a", "c"]);
        c.IsStarted.Should().BeFalse();
    }

    [Fact]
    public void Settle_InFlightEdit_StartsOnlyTheLatestRequest()
    {
        using var edits = new EditSet<string>(_options, _clock);
        using var started = edits.Started.Record();
        var a = edits.Request("a");
        edits.Request("b");
        edits.Request("c");
        edits.Request("d");

        a.Token.Accept();

        started.Values.Select(e => e.Value).Should().Equal("a", "d");
    }
}
