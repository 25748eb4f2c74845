using Reactive.Edits.ChangeSets;

namespace Reactive.Edits.Tests.ChangeSets;

public sealed class ChangeSetEnumeratorTests
{
    private static readonly IChangeSet<string, int> Changes = new ChangeSet<string, int>([
        new Change<string, int>(ChangeReason.Add, 1, "a"),
        new Change<string, int>(ChangeReason.Add, 2, "b"),
        new Change<string, int>(ChangeReason.Update, 1, "a2", "a"),
    ]);

    [Fact]
    public void Constructor_NullChangeSet_Throws()
    {
        var create = () => new ChangeSetEnumerator<string, int>(null!);

        create.Should().Throw<ArgumentNullException>().WithParameterName("changes");
    }

    [Fact]
    public void MoveNext_GoesThroughTheChangesInOrder_ThenStops()
    {
        var enumerator = Changes.GetEnumerator();
        var seen = new List<Change<string, int>>();

        while (enumerator.MoveNext())
        {
            seen.Add(enumerator.Current);
        }

        seen.Should().Equal(Changes[0], Changes[1], Changes[2]);
        enumerator.MoveNext().Should().BeFalse("it stays at the end");
    }

    [Fact]
    public void Reset_AfterTheEnd_StartsFromTheFirstChangeAgain()
    {
        var enumerator = Changes.GetEnumerator();
        while (enumerator.MoveNext())
        {
        }

        enumerator.Reset();

        enumerator.MoveNext().Should().BeTrue();
        enumerator.Current.Should().Be(Changes[0]);
    }

    [Fact]
    public void GetEnumerator_OfAnEmptySet_HasNothing()
    {
        var enumerator = ChangeSet<string, int>.Empty.GetEnumerator();

        enumerator.MoveNext().Should().BeFalse();
    }

    [Fact]
    public void Enumerating_ThroughIEnumerable_GivesTheSameChangesAsForeach()
    {
        // LINQ goes through IEnumerable<T> (a boxed copy of the struct); foreach through the interface's own method.
        var viaForeach = new List<Change<string, int>>();
        foreach (var change in Changes)
        {
            viaForeach.Add(change);
        }

        Changes.AsEnumerable().Should().Equal(viaForeach);
    }
}
