using System.Runtime.CompilerServices;
using Reactive.Edits.ChangeSets;
using Reactive.Edits.Optimistic;
using Reactive.Edits.Testing;

namespace Reactive.Edits.Tests.Optimistic;

/// <summary>
/// A source whose only subscriber is a merge lends it its change sets, filling each again once the merge has processed
/// it. Nobody else may ever see a lent change set, and a merge that can no longer process must not keep the source
/// holding what it has published.
/// </summary>
public sealed class OptimisticMergeLentChangeSetsTests
{
    [Fact]
    public void ChangeSetsAnotherSubscriberKeeps_StayAsTheyWerePublished_WhileAMergeAlsoListens()
    {
        using var source = new KeyedSource<Item, string>(static item => item.Key);
        using var edits = new EditSet<Op>(EditSetOptions.Default, new TestClock());
        var shown = new ViewReplica<Item>();
        using var view = source.Connect().MergeOptimistic(edits, Options).Subscribe(shown.Apply);
        var rev = 0;
        void Change() => source.AddOrUpdate(new Item("k" + (rev % 3), "theirs", ++rev));

        // The merge alone: the source lends it its change sets.
        for (var i = 0; i < 10; i++)
        {
            Change();
        }

        // Another subscriber joins and keeps every change set; then leaves, and the merge is alone again.
        var kept = new List<IChangeSet<Item, string>>();
        var keeper = source.Connect().Subscribe(kept.Add);
        var firstKept = rev + 1;
        for (var i = 0; i < 10; i++)
        {
            Change();
        }

        keeper.Dispose();
        for (var i = 0; i < 10; i++)
        {
            Change();
        }

        kept.Should().HaveCount(11, "the replay of the three items, then one change set per change");
        kept.Skip(1).Select(static changes => changes.Single().Current.Rev).Should().Equal(Enumerable.Range(firstKept, 10), "a change set given to a subscriber that may keep it is never filled again");
        shown.Violations.Should().BeEmpty();
        shown.Items.Values.Select(static item => item.Item.Rev).Should().BeEquivalentTo([rev - 2, rev - 1, rev]);
    }

    [Fact]
    public void ChangesMadeFromInsideTheView_WhileTheSourceLendsToItsMerge_AreAllShownInOrder()
    {
        // The view's observer changes the source from inside its notification, before the merge has reported the change
        // set it is finishing as processed: the source fills another one, which the merge applies after the first.
        using var source = new KeyedSource<Item, string>(static item => item.Key);
        using var edits = new EditSet<Op>(EditSetOptions.Default, new TestClock());
        var shown = new ViewReplica<Item>();
        using var view = source.Connect().MergeOptimistic(edits, Options).Subscribe(changes =>
        {
            shown.Apply(changes);
            foreach (var change in changes)
            {
                if (change.Key == "a" && change.Current.Item.Rev % 2 == 1)
                {
                    source.AddOrUpdate(new Item("b", "echo", change.Current.Item.Rev));
                }
            }
        });

        for (var rev = 1; rev <= 100; rev++)
        {
            source.AddOrUpdate(new Item("a", "theirs", rev));
        }

        shown.Violations.Should().BeEmpty();
        shown.Published["a"].Select(static item => item.Item.Rev).Should().Equal(Enumerable.Range(1, 100));
        shown.Published["b"].Select(static item => item.Item.Rev).Should().Equal(Enumerable.Range(0, 50).Select(static i => (2 * i) + 1));
    }

    [Fact]
    public void AMergeWhoseObserverThrew_DoesNotKeepTheSourceHoldingItsChangeSets()
    {
        // The observer's exception ends the merge: it processes nothing more, so the source would keep every later
        // change set for it, for as long as the source lives, unless the merge stops being its subscriber.
        using var source = new KeyedSource<Item, string>(static item => item.Key);
        using var edits = new EditSet<Op>(EditSetOptions.Default, new TestClock());
        var published = new List<WeakReference>();
        using var watcher = source.Connect().Subscribe(changes => published.Add(new WeakReference(changes)));
        using var view = source.Connect().MergeOptimistic(edits, Options).Subscribe(_ => throw new InvalidOperationException("observer failed"));

        var thrown = () => source.AddOrUpdate(new Item("a", "theirs", 1));
        thrown.Should().Throw<InvalidOperationException>().WithMessage("observer failed");
        ChangeMany(source, 100);

        Collect();
        published.Should().HaveCount(101, "the watcher sees every change set, the one the merge failed on first");
        published.Count(static reference => reference.IsAlive).Should().Be(0, "nothing processes them any more");
    }

    private static OptimisticOptions<Item, string, Op> Options { get; } = new()
    {
        KeyOf = static edit => edit.Value.Target!,
        Predict = static (edit, current) => current is null ? null : current with { Text = edit.Value.Text },
    };

    // Out of line, so that no local of the caller can hold a change set alive.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ChangeMany(KeyedSource<Item, string> source, int count)
    {
        for (var rev = 2; rev < 2 + count; rev++)
        {
            source.AddOrUpdate(new Item("a", "theirs", rev));
        }
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
