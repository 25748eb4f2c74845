using Reactive.Edits.ChangeSets;
using Reactive.Edits.Optimistic;
using Reactive.Edits.Testing;

namespace Reactive.Edits.Tests.Optimistic;

/// <summary>
/// A merge fed by <see cref="KeyedSource{TObject, TKey}.Connect()"/> reads the source's table instead of copying it, and
/// still starts each key's first edit from the item the view shows, even when the source is ahead of the merge.
/// </summary>
public sealed class OptimisticMergeSourceTableTests
{
    [Theory]
    [InlineData(AuthoritativeInput.KeyedSource, 0)]
    [InlineData(AuthoritativeInput.OtherStream, 999)]
    public void AuthoritativeItems_AreCopiedOnlyWhenTheInputIsNotAKeyedSource(AuthoritativeInput input, int copied)
    {
        using var fixture = new MergeFixture(input: input);

        fixture.Authoritative.Edit(updater =>
        {
            for (var i = 0; i < 1_000; i++)
            {
                updater.AddOrUpdate(new Item("k" + i, "x", 1));
            }
        });
        var edit = fixture.Edits.Request(new Op(OpKind.Update, "k7", "mine"));
        fixture.Authoritative.AddOrUpdate(new Item("k7", "mine", 2));
        edit.Token.Accept();
        fixture.Authoritative.Remove("k3");

        fixture.Probe.AuthoritativeItemsCopied.Should().Be(copied, "a thousand items, one removed");
        fixture.Replica.Should().HaveCount(999);
        fixture.Replica["k7"].Should().Match<OptimisticItem<Item, string>>(shown => shown.State == OptimisticState.Confirmed && shown.Item == new Item("k7", "mine", 2));
        fixture.Violations.Should().BeEmpty();
    }

    [Theory]
    [InlineData(AuthoritativeInput.KeyedSource)]
    [InlineData(AuthoritativeInput.OtherStream)]
    public void FirstEdit_OnAKeyTheSourceChangedAheadOfTheMerge_StartsFromTheItemTheViewShows(AuthoritativeInput input)
    {
        // One view's observer, seeing "a" change, changes "b" and edits it. The other views get the edit before b's
        // change, while the source's table already holds b's new item and they still show its old one: the edit's
        // prediction must start from the item shown, then follow the new one when it arrives.
        using var fixture = new MergeFixture(input: input);
        fixture.Authoritative.AddOrUpdate(new Item("a", "a1", 1));
        fixture.Authoritative.AddOrUpdate(new Item("b", "b1", 1));
        var reacted = false;
        using var reaction = fixture.View.Subscribe(changes =>
        {
            foreach (var change in changes)
            {
                if (change.Key == "a" && change.Reason == ChangeReason.Update && !reacted)
                {
                    reacted = true;
                    fixture.Authoritative.AddOrUpdate(new Item("b", "b2", 2));
                    fixture.Edits.Request(new Op(OpKind.Update, "b", "mine"));
                }
            }
        });
        var shown = new ViewReplica<Item>();
        using var binding = fixture.View.Subscribe(shown.Apply);

        fixture.Authoritative.AddOrUpdate(new Item("a", "a2", 2));

        reacted.Should().BeTrue();
        shown.Violations.Should().BeEmpty();
        fixture.Violations.Should().BeEmpty();
        (string, int, OptimisticState)[] expected = [("b1", 1, OptimisticState.Confirmed), ("mine", 1, OptimisticState.Pending), ("mine", 2, OptimisticState.Pending)];
        shown.Published["b"].Select(static item => (item.Item.Text, item.Item.Rev, item.State)).Should().Equal(expected, "a view subscribed after the reacting one");
        fixture.Shown.Published["b"].Select(static item => (item.Item.Text, item.Item.Rev, item.State)).Should().Equal(expected, "a view subscribed before it");
    }

    [Theory]
    [InlineData(AuthoritativeInput.KeyedSource)]
    [InlineData(AuthoritativeInput.OtherStream)]
    public async Task EditsOnOneThread_WhileTheSourceChangesOnAnother_KeepEveryUpdateChainedToWhatWasShown(AuthoritativeInput input)
    {
        // The source runs ahead of the merge whenever its thread applies a change while the merge works on an edit; each
        // first edit of a key then looks the key up as of the change sets the merge has applied. The replica checks that
        // every Update's Previous is the item shown, which a lookup of the source's latest item would break.
        const int Keys = 20;
        using var fixture = new MergeFixture(input: input);
        for (var i = 0; i < Keys; i++)
        {
            fixture.Authoritative.AddOrUpdate(new Item("k" + i, "x", 0));
        }

        using var start = new Barrier(2);
        var server = Task.Run(() =>
        {
            start.SignalAndWait();
            for (var rev = 1; rev <= 20_000; rev++)
            {
                fixture.Authoritative.AddOrUpdate(new Item("k" + (rev % Keys), "theirs", rev));
            }
        });
        var user = Task.Run(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 5_000; i++)
            {
                var edit = fixture.Edits.Request(new Op(OpKind.Update, "k" + (i * 7 % Keys), "mine " + i));
                if (i % 3 == 0)
                {
                    edit.Token.Reject(new InvalidOperationException("no"));
                    fixture.Edits.Discard(edit.Id);
                }
                else
                {
                    fixture.Edits.Cancel(edit.Id);
                }
            }
        });

        await Task.WhenAll(server, user);

        fixture.Violations.Should().BeEmpty();
        fixture.Replica.Should().HaveCount(Keys);
        foreach (var (key, shown) in fixture.Replica)
        {
            fixture.Authoritative.TryGetValue(key, out var authoritative).Should().BeTrue();
            shown.Should().Match<OptimisticItem<Item, string>>(item => item.State == OptimisticState.Confirmed && item.Item == authoritative, "every edit has left, so {0} shows the source's item", key);
        }
    }
}
