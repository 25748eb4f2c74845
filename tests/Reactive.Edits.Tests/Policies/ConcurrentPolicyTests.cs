using Reactive.Edits.Testing;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Tests.Policies;

public sealed class ConcurrentPolicyTests
{
    private readonly TestClock _clock = new();

    [Fact]
    public void Request_Concurrent_StartsEveryRequestAtOnce()
    {
        using var edits = new EditSet<int>(new EditSetOptions { Policy = EditPolicy.Concurrent }, _clock);
        using var started = edits.Started.Record();

        var requested = Enumerable.Range(0, 50).Select(i => edits.Request(i)).ToList();

        requested.Should().OnlyContain(e => e.IsStarted);
        started.Values.Select(e => e.Value).Should().Equal(Enumerable.Range(0, 50));
        edits.Items.Should().HaveCount(50);
    }

    [Fact]
    public void Request_Concurrent_EachEditSettlesIndependently()
    {
        using var edits = new EditSet<int>(new EditSetOptions { Policy = EditPolicy.Concurrent }, _clock);
        var first = edits.Request(1);
        var second = edits.Request(2);

        second.Token.Accept();

        edits.Items.Should().ContainSingle().Which.Id.Should().Be(first.Id);
        first.Token.IsSpent.Should().BeFalse();
    }
}
