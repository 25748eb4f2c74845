using Reactive.Edits.ChangeSets;

namespace Reactive.Edits.Tests.ChangeSets;

public sealed class ChangeSetTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void Counts_ChangesOfEveryReason_CountEachReasonWhereverItSits(int leadingAdds)
    {
        // The first change is held apart from the rest, so each reason is tried both first and later.
        var changes = new ChangeSet<string, int>();
        for (var key = 0; key < leadingAdds; key++)
        {
            changes.Add(new Change<string, int>(ChangeReason.Add, key, "added"));
        }

        changes.Add(new Change<string, int>(ChangeReason.Refresh, 100, "refreshed"));
        changes.Add(new Change<string, int>(ChangeReason.Update, 101, "now", "before"));
        changes.Add(new Change<string, int>(ChangeReason.Remove, 102, "removed"));
        changes.Add(new Change<string, int>(ChangeReason.Update, 103, "now", "before"));

        (changes.Count, changes.Adds, changes.Updates, changes.Removes, changes.Refreshes)
            .Should().Be((leadingAdds + 4, leadingAdds, 2, 1, 1));
        changes[leadingAdds].Reason.Should().Be(ChangeReason.Refresh);
        changes[leadingAdds + 1].Should().Be(new Change<string, int>(ChangeReason.Update, 101, "now", "before"));
        changes.ToString().Should().Be($"+{leadingAdds} ~2 -1 !1");
    }

    [Theory]
    [InlineData(ChangeReason.Add)]
    [InlineData(ChangeReason.Update)]
    [InlineData(ChangeReason.Remove)]
    [InlineData(ChangeReason.Refresh)]
    public void Counts_OneChange_CountsOnlyItsReason(ChangeReason reason)
    {
        var changes = new ChangeSet<string, int>(1) { new Change<string, int>(reason, 1, "item") };

        new[] { changes.Adds, changes.Updates, changes.Removes, changes.Refreshes }
            .Should().Equal(Enum.GetValues<ChangeReason>().Select(r => r == reason ? 1 : 0));
    }

    [Fact]
    public void Counts_Empty_AreZero()
    {
        var empty = ChangeSet<string, int>.Empty;

        (empty.Count, empty.Adds, empty.Updates, empty.Removes, empty.Refreshes).Should().Be((0, 0, 0, 0, 0));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    [InlineData(256)]
    public void ChangeConstructor_UndefinedReason_Throws(int reason)
    {
        var withoutPrevious = () => new Change<string, int>((ChangeReason)reason, 1, "item");
        var withPrevious = () => new Change<string, int>((ChangeReason)reason, 1, "item", "before");

        withoutPrevious.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("reason");
        withPrevious.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("reason");
    }
}
