using Reactive.Edits.Testing;

namespace Reactive.Edits.Tests.Policies;

public sealed class SingleFlightPolicyTests
{
    private readonly TestClock _clock = new();
    private readonly EditSetOptions _options = new() { Policy = EditPolicy.SingleFlight };

    [Fact]
    public void Request_WhileOneIsPending_IsRefused()
    {
        using var edits = new EditSet<string>(_options, _clock);
        var first = edits.Request("a");

        var act = () => edits.Request("b");

        act.Should().Throw<EditRefusedException>().Which.Policy.Should().BeSameAs(EditPolicy.SingleFlight);
        edits.TryRequest("c", out _).Should().BeFalse();
        edits.Items.Should().ContainSingle().Which.Id.Should().Be(first.Id);
        first.Token.IsSpent.Should().BeFalse();
    }

    [Fact]
    public void Request_AfterThePendingOneSettles_IsAdmitted()
    {
        using var edits = new EditSet<string>(_options, _clock);
        edits.Request("a").Token.Accept();

        var second = edits.Request("b");

        second.IsStarted.Should().BeTrue();
    }

    [Fact]
    public void Request_WhileOnlyARejectedEditRemains_IsAdmitted()
    {
        using var edits = new EditSet<string>(_options, _clock);
        edits.Request("a").Token.Reject(new InvalidOperationException("no"));

        edits.TryRequest("b", out var second).Should().BeTrue();

        second!.IsStarted.Should().BeTrue();
    }

    [Fact]
    public void Retry_WhileAnotherIsPending_ReturnsFalseAndKeepsTheRejectedEdit()
    {
        using var edits = new EditSet<string>(_options, _clock);
        var rejected = edits.Request("a");
        var error = new InvalidOperationException("no");
        rejected.Token.Reject(error);
        edits.Request("b");

        edits.Retry(rejected.Id).Should().BeFalse();

        edits.TryGetEdit(rejected.Id, out var current).Should().BeTrue();
        current!.Status.Should().Be(EditStatus.Rejected);
        current.Error.Should().BeSameAs(error);
        current.Attempt.Should().Be(1);
    }
}
