namespace Reactive.Edits.Tests.Policies;

/// <summary>The one policy mechanism: a limit on started edits plus an overflow rule.</summary>
public sealed class EditPolicyTests
{
    public static TheoryData<EditPolicy, int, EditOverflow, string> NamedPolicies => new()
    {
        { EditPolicy.Concurrent, int.MaxValue, EditOverflow.Wait, "Concurrent" },
        { EditPolicy.SingleFlight, 1, EditOverflow.Refuse, "SingleFlight" },
        { EditPolicy.Coalescing, 1, EditOverflow.SupersedeWaiting, "Coalescing" },
        { EditPolicy.LatestWins, 1, EditOverflow.SupersedeInFlight, "LatestWins" },
        { EditPolicy.Queued, 1, EditOverflow.Wait, "Queued" },
    };

    [Theory]
    [MemberData(nameof(NamedPolicies))]
    public void NamedPolicy_IsALimitAndAnOverflowRule(EditPolicy policy, int maxInFlight, EditOverflow overflow, string name)
    {
        policy.MaxInFlight.Should().Be(maxInFlight);
        policy.Overflow.Should().Be(overflow);
        policy.ToString().Should().Be(name);
    }

    [Fact]
    public void Bounded_ValidLimit_WaitsBeyondIt()
    {
        var policy = EditPolicy.Bounded(3);

        policy.MaxInFlight.Should().Be(3);
        policy.Overflow.Should().Be(EditOverflow.Wait);
        policy.ToString().Should().Be("Wait(3)");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Bounded_LimitBelowOne_ThrowsArgumentOutOfRange(int maxInFlight)
    {
        var act = () => EditPolicy.Bounded(maxInFlight);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("maxInFlight");
    }

    [Fact]
    public void Create_UndefinedOverflow_ThrowsArgumentOutOfRange()
    {
        var act = () => EditPolicy.Create(1, (EditOverflow)42);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("overflow");
    }

    [Fact]
    public void Create_ValidParts_KeepsThem()
    {
        var policy = EditPolicy.Create(2, EditOverflow.Refuse);

        policy.MaxInFlight.Should().Be(2);
        policy.Overflow.Should().Be(EditOverflow.Refuse);
        policy.ToString().Should().Be("Refuse(2)");
    }
}
