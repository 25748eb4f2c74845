using Reactive.Edits.Testing;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Tests.Policies;

/// <summary>A limit above one, with each <see cref="EditOverflow"/> rule for the requests beyond it.</summary>
public sealed class BoundedPolicyTests
{
    private readonly TestClock _clock = new();

    [Fact]
    public void Request_BeyondBoundedLimit_WaitsAndStartsInRequestOrderAsSlotsFree()
    {
        using var edits = new EditSet<string>(new EditSetOptions { Policy = EditPolicy.Bounded(2) }, _clock);
        using var started = edits.Started.Record();
        var a = edits.Request("a");
        var b = edits.Request("b");
        var c = edits.Request("c");
        var d = edits.Request("d");
        c.IsStarted.Should().BeFalse();
        d.IsStarted.Should().BeFalse();
        started.Values.Select(e => e.Value).Should().Equal("a", "b");

        b.Token.Accept();
        started.Values.Select(e => e.Value).Should().Equal("a", "b", "c");
        a.Token.Reject(new InvalidOperationException("no"));

        started.Values.Select(e => e.Value).Should().Equal("a", "b", "c", "d");
    }

    [Fact]
    public void Request_BeyondBoundedLimit_NeverHasMoreThanTheLimitInFlight()
    {
        using var edits = new EditSet<int>(new EditSetOptions { Policy = EditPolicy.Bounded(3) }, _clock);
        using var counts = edits.Counts.Record();
        var requested = Enumerable.Range(0, 10).Select(i => edits.Request(i)).ToList();

        foreach (var edit in requested)
        {
            edits.TryGetEdit(edit.Id, out var current).Should().BeTrue();
            current!.Token.Accept();
        }

        counts.Values.Max(c => c.InFlight).Should().Be(3);
        counts.Last.Should().Be(EditCounts.Zero);
    }

    [Fact]
    public void Request_BeyondLimitWithRefuse_IsRefusedAndNothingIsAdded()
    {
        var policy = EditPolicy.Create(2, EditOverflow.Refuse);
        using var edits = new EditSet<string>(new EditSetOptions { Policy = policy }, _clock);
        edits.Request("a");
        edits.Request("b");

        edits.TryRequest("c", out var refused).Should().BeFalse();
        refused.Should().BeNull();
        var act = () => edits.Request("d");

        act.Should().Throw<EditRefusedException>().Which.Policy.Should().BeSameAs(policy);
        edits.Items.Select(e => e.Value).Should().BeEquivalentTo(["a", "b"]);
    }

    [Fact]
    public void Request_BeyondLimitWithSupersedeInFlight_SupersedesEveryInFlightEdit()
    {
        using var edits = new EditSet<string>(new EditSetOptions { Policy = EditPolicy.Create(2, EditOverflow.SupersedeInFlight) }, _clock);
        var a = edits.Request("a");
        var b = edits.Request("b");

        var c = edits.Request("c");

        c.IsStarted.Should().BeTrue();
        a.Token.CancellationToken.IsCancellationRequested.Should().BeTrue();
        b.Token.CancellationToken.IsCancellationRequested.Should().BeTrue();
        a.Token.Accept().Should().BeFalse();
        edits.Items.Should().ContainSingle().Which.Id.Should().Be(c.Id);
    }

    [Fact]
    public void Request_BeyondLimitWithSupersedeWaiting_KeepsOnlyTheLatestWaiting()
    {
        using var edits = new EditSet<string>(new EditSetOptions { Policy = EditPolicy.Create(2, EditOverflow.SupersedeWaiting) }, _clock);
        using var recorder = new EditRecorder<string>(edits);
        var a = edits.Request("a");
        edits.Request("b");
        var c = edits.Request("c");

        var d = edits.Request("d");

        recorder.KindsOf(c.Id).Should().Equal(EditEventKind.Requested, EditEventKind.Superseded);
        edits.Items.Select(e => e.Value).Should().BeEquivalentTo(["a", "b", "d"]);
        a.Token.Accept();
        edits.TryGetEdit(d.Id, out var started).Should().BeTrue();
        started!.IsStarted.Should().BeTrue();
    }
}
