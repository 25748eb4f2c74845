using Reactive.Edits.ChangeSets;
using Reactive.Edits.Optimistic;
using Reactive.Edits.Tests.Support;
using Reactive.Edits.Testing;

namespace Reactive.Edits.Tests.Optimistic;

public sealed class OptimisticMergeTests
{
    [Fact]
    public void Request_Create_ShowsPendingLocalPredictionAtOnce()
    {
        using var fixture = new MergeFixture();

        var edit = fixture.Edits.Request(new Op(OpKind.Create, null, "hello"));

        var shown = fixture.Replica.Should().ContainSingle().Which.Value;
        shown.Item.Should().Be(new Item(MergeFixture.CreatedKey(edit.Id), "hello", 0));
        shown.State.Should().Be(OptimisticState.Pending);
        shown.IsLocal.Should().BeTrue();
        shown.EditId.Should().Be(edit.Id);
    }

    [Fact]
    public void EchoBeforeAck_ReplacesPredictionInPlace()
    {
        using var fixture = new MergeFixture();
        var edit = fixture.Edits.Request(new Op(OpKind.Create, null, "hello"));
        var key = MergeFixture.CreatedKey(edit.Id);

        fixture.Authoritative.AddOrUpdate(new Item(key, "hello", 1));
        fixture.Replica[key].State.Should().Be(OptimisticState.Pending, "the edit is not acknowledged yet");
        edit.Token.Accept();

        fixture.Replica[key].State.Should().Be(OptimisticState.Confirmed);
        fixture.Replica[key].Item.Should().Be(new Item(key, "hello", 1));
        fixture.History[key].Should().Equal(ChangeReason.Add, ChangeReason.Update, ChangeReason.Update);
        fixture.Violations.Should().BeEmpty();
    }

    [Fact]
    public void AckBeforeEcho_KeepsPredictionUntilEchoThenReplacesInPlace()
    {
        using var fixture = new MergeFixture();
        var edit = fixture.Edits.Request(new Op(OpKind.Create, null, "hello"));
        var key = MergeFixture.CreatedKey(edit.Id);

        edit.Token.Accept();
        fixture.Replica[key].State.Should().Be(OptimisticState.Pending, "accepted but its authoritative copy is not visible yet");
        fixture.Authoritative.AddOrUpdate(new Item(key, "hello", 1));

        fixture.Replica[key].State.Should().Be(OptimisticState.Confirmed);
        fixture.History[key].Should().NotContain(ChangeReason.Remove);
        fixture.Violations.Should().BeEmpty();
    }

    [Fact]
    public void AckBeforeEcho_PublishesNoUpdateWhoseCurrentEqualsPrevious()
    {
        using var fixture = new MergeFixture();
        var edit = fixture.Edits.Request(new Op(OpKind.Create, null, "hello"));
        var key = MergeFixture.CreatedKey(edit.Id);

        edit.Token.Accept();

        fixture.History[key].Should().Equal([ChangeReason.Add], "the acknowledgement changes nothing the subscriber can see");
        fixture.Violations.Should().BeEmpty();
    }

    [Fact]
    public void QueuedEditStarting_PublishesNoUpdateWhoseCurrentEqualsPrevious()
    {
        using var fixture = new MergeFixture(editSetOptions: new EditSetOptions { Policy = EditPolicy.Queued });
        fixture.Authoritative.AddOrUpdate(new Item("a", "old", 1));
        var first = fixture.Edits.Request(new Op(OpKind.Update, "a", "first"));
        var second = fixture.Edits.Request(new Op(OpKind.Create, null, "second"));
        var key = MergeFixture.CreatedKey(second.Id);

        fixture.Authoritative.AddOrUpdate(new Item("a", "first", 2));
        first.Token.Accept();                              // the waiting edit starts: an Update in the edit set only

        fixture.History[key].Should().Equal([ChangeReason.Add], "starting the edit changes nothing the subscriber can see");
        fixture.Violations.Should().BeEmpty();
    }

    [Fact]
    public void AuthoritativeUpdateToAnEqualItem_PublishesNothing_WithOrWithoutEdits()
    {
        using var fixture = new MergeFixture();
        fixture.Authoritative.AddOrUpdate(new Item("a", "x", 1));
        fixture.Authoritative.AddOrUpdate(new Item("b", "x", 1));
        fixture.Edits.Request(new Op(OpKind.Update, "b", "mine"));
        var published = fixture.Recorder.Values.Count;

        fixture.Authoritative.AddOrUpdate(new Item("a", "x", 1));
        fixture.Authoritative.AddOrUpdate(new Item("b", "x", 1));

        fixture.Recorder.Values.Should().HaveCount(published, "the new items equal the ones shown and beneath the prediction");
        fixture.Violations.Should().BeEmpty();
    }

    [Fact]
    public void AcceptedWithoutEcho_OnATimeProvider_IsDroppedAfterSettleTimeout()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestClock.Epoch);
        using var authoritative = new KeyedSource<Item, string>(static item => item.Key);
        using var edits = new EditSet<Op>(EditSetOptions.Default, time);
        var options = new OptimisticOptions<Item, string, Op>
        {
            KeyOf = static edit => MergeFixture.CreatedKey(edit.Id),
            Predict = static (edit, _) => new Item(MergeFixture.CreatedKey(edit.Id), edit.Value.Text, 0),
            SettleTimeout = MergeFixture.SettleTimeout,
        };
        var shown = new ViewReplica<Item>();
        using var binding = authoritative.Connect().MergeOptimistic(edits.Connect(), options, time).Subscribe(shown.Apply);
        var edit = edits.Request(new Op(OpKind.Create, null, "hello"));
        var key = MergeFixture.CreatedKey(edit.Id);
        edit.Token.Accept();

        time.Advance(MergeFixture.SettleTimeout - TimeSpan.FromTicks(1));
        shown.Items.Should().ContainKey(key);
        time.Advance(TimeSpan.FromTicks(1));

        shown.Items.Should().NotContainKey(key);
        shown.Violations.Should().BeEmpty();
    }

    [Fact]
    public void AcceptedWithoutEcho_IsDroppedAfterSettleTimeout_InVirtualTime()
    {
        using var fixture = new MergeFixture();
        var edit = fixture.Edits.Request(new Op(OpKind.Create, null, "hello"));
        var key = MergeFixture.CreatedKey(edit.Id);
        edit.Token.Accept();

        fixture.Clock.AdvanceBy(MergeFixture.SettleTimeout - TimeSpan.FromTicks(1));
        fixture.Replica.Should().ContainKey(key);
        fixture.Clock.AdvanceBy(TimeSpan.FromTicks(1));

        fixture.Replica.Should().NotContainKey(key);
    }

    [Fact]
    public void StaleSettleTimer_AfterEcho_DoesNothing()
    {
        using var fixture = new MergeFixture();
        var edit = fixture.Edits.Request(new Op(OpKind.Create, null, "hello"));
        var key = MergeFixture.CreatedKey(edit.Id);
        edit.Token.Accept();
        fixture.Authoritative.AddOrUpdate(new Item(key, "hello", 1));
        var changesBefore = fixture.Recorder.Values.Count;

        fixture.Clock.AdvanceBy(MergeFixture.SettleTimeout * 2);

        fixture.Recorder.Values.Should().HaveCount(changesBefore);
        fixture.Replica[key].State.Should().Be(OptimisticState.Confirmed);
    }

    [Fact]
    public void Reject_KeepsPredictionAsFailedWithError_AndRetryMakesItPendingAgain()
    {
        using var fixture = new MergeFixture();
        var edit = fixture.Edits.Request(new Op(OpKind.Create, null, "hello"));
        var key = MergeFixture.CreatedKey(edit.Id);
        var error = new InvalidOperationException("too long");

        edit.Token.Reject(error);
        fixture.Replica[key].State.Should().Be(OptimisticState.Failed);
        fixture.Replica[key].Error.Should().BeSameAs(error);
        fixture.Replica[key].Item.Text.Should().Be("hello");

        fixture.Edits.Retry(edit.Id);
        fixture.Replica[key].State.Should().Be(OptimisticState.Pending);
        fixture.Replica[key].Error.Should().BeNull();
        fixture.History[key].Should().Equal(ChangeReason.Add, ChangeReason.Update, ChangeReason.Update);
    }

    [Fact]
    public void Discard_RemovesTheFailedLocalItem()
    {
        using var fixture = new MergeFixture();
        var edit = fixture.Edits.Request(new Op(OpKind.Create, null, "hello"));
        edit.Token.Reject(new InvalidOperationException("no"));

        fixture.Edits.Discard(edit.Id);

        fixture.Replica.Should().BeEmpty();
    }

    [Fact]
    public void Update_IsRebasedWhenTheAuthoritativeItemChangesUnderIt()
    {
        using var fixture = new MergeFixture();
        fixture.Authoritative.AddOrUpdate(new Item("a", "old", 1));
        fixture.Edits.Request(new Op(OpKind.Update, "a", "mine"));
        fixture.Replica["a"].Item.Should().Be(new Item("a", "mine", 1));

        fixture.Authoritative.AddOrUpdate(new Item("a", "theirs", 2));

        fixture.Replica["a"].Item.Should().Be(new Item("a", "mine", 2), "the prediction is recomputed on the new authoritative item");
        fixture.Replica["a"].State.Should().Be(OptimisticState.Pending);
        fixture.Replica["a"].IsLocal.Should().BeFalse();
    }

    [Fact]
    public void Cancel_OfUpdate_ShowsTheAuthoritativeItemAgain()
    {
        using var fixture = new MergeFixture();
        fixture.Authoritative.AddOrUpdate(new Item("a", "old", 1));
        var edit = fixture.Edits.Request(new Op(OpKind.Update, "a", "mine"));

        fixture.Edits.Cancel(edit.Id);

        fixture.Replica["a"].Item.Should().Be(new Item("a", "old", 1));
        fixture.Replica["a"].State.Should().Be(OptimisticState.Confirmed);
    }

    [Fact]
    public void Delete_HidesTheItemWhilePending_AndRejectShowsItAgainAsFailed()
    {
        using var fixture = new MergeFixture();
        fixture.Authoritative.AddOrUpdate(new Item("a", "old", 1));
        var edit = fixture.Edits.Request(new Op(OpKind.Delete, "a", ""));
        fixture.Replica.Should().NotContainKey("a");

        var error = new InvalidOperationException("not yours");
        edit.Token.Reject(error);

        fixture.Replica["a"].State.Should().Be(OptimisticState.Failed, "the error needs a row to be shown on");
        fixture.Replica["a"].Error.Should().BeSameAs(error);
        fixture.Edits.Discard(edit.Id);
        fixture.Replica["a"].State.Should().Be(OptimisticState.Confirmed);
    }

    [Fact]
    public void TwoEditsOnOneKey_ApplyInRequestOrder()
    {
        using var fixture = new MergeFixture();
        fixture.Authoritative.AddOrUpdate(new Item("a", "old", 1));
        var first = fixture.Edits.Request(new Op(OpKind.Update, "a", "first"));
        fixture.Edits.Request(new Op(OpKind.Update, "a", "second"));

        fixture.Replica["a"].Item.Text.Should().Be("second");
        first.Token.Reject(new InvalidOperationException("no"));

        fixture.Replica["a"].Item.Text.Should().Be("second");
        fixture.Replica["a"].State.Should().Be(OptimisticState.Failed);
    }

    [Fact]
    public void Includes_AcceptedEdit_KeepsPredictionUntilTheItemThatIncludesItArrives()
    {
        using var fixture = new MergeFixture(includes: static (item, edit) => item.Text == edit.Value.Text);
        fixture.Authoritative.AddOrUpdate(new Item("a", "old", 1));
        var edit = fixture.Edits.Request(new Op(OpKind.Update, "a", "mine"));
        edit.Token.Accept();

        fixture.Authoritative.AddOrUpdate(new Item("a", "someone else's", 2));
        fixture.Replica["a"].State.Should().Be(OptimisticState.Pending);
        fixture.Authoritative.AddOrUpdate(new Item("a", "mine", 3));

        fixture.Replica["a"].State.Should().Be(OptimisticState.Confirmed);
        fixture.Replica["a"].Item.Should().Be(new Item("a", "mine", 3));
    }

    [Fact]
    public void PredictionMismatches_ReportsAConfirmedItemThatDiffersFromItsPrediction()
    {
        using var fixture = new MergeFixture();
        using var mismatches = fixture.View.PredictionMismatches().Record();
        var edit = fixture.Edits.Request(new Op(OpKind.Create, null, "hello"));
        var key = MergeFixture.CreatedKey(edit.Id);
        var other = fixture.Edits.Request(new Op(OpKind.Create, null, "same"));
        var otherKey = MergeFixture.CreatedKey(other.Id);

        fixture.Authoritative.Edit(u =>
        {
            u.AddOrUpdate(new Item(key, "hello (edited by the server)", 0));
            u.AddOrUpdate(new Item(otherKey, "same", 0));
        });
        edit.Token.Accept();
        other.Token.Accept();

        mismatches.Values.Should().ContainSingle().Which.Should().Be(new PredictionMismatch<Item, string>(
            key, new Item(key, "hello", 0), new Item(key, "hello (edited by the server)", 0), edit.Id));
    }

    [Fact]
    public void OptimisticOrder_PutsLocalItemsAfterConfirmedOnes_WithATotalOrder()
    {
        using var fixture = new MergeFixture();
        fixture.Authoritative.Edit(u =>
        {
            u.AddOrUpdate(new Item("b", "x", 5));
            u.AddOrUpdate(new Item("a", "x", 5));
            u.AddOrUpdate(new Item("c", "x", 1));
        });
        var first = fixture.Edits.Request(new Op(OpKind.Create, null, "first"));
        var second = fixture.Edits.Request(new Op(OpKind.Create, null, "second"));
        var order = OptimisticOrder.Create<Item, string>(Comparer<Item>.Create(static (x, y) => x.Rev.CompareTo(y.Rev)), StringComparer.Ordinal);

        var sorted = fixture.Replica.Values.Order(order).Select(static i => i.Key).ToList();

        sorted.Should().Equal("c", "a", "b", MergeFixture.CreatedKey(first.Id), MergeFixture.CreatedKey(second.Id));
    }

    [Fact]
    public void ThrowingPredict_EndsTheViewWithOnError()
    {
        using var edits = new EditSet<Op>();
        using var source = new KeyedSource<Item, string>(static item => item.Key);
        var failure = new InvalidOperationException("bad predict");
        var options = new OptimisticOptions<Item, string, Op> { KeyOf = static _ => "k", Predict = (_, _) => throw failure };
        using var recorder = source.Connect().MergeOptimistic(edits, options).Record();

        edits.Request(new Op(OpKind.Create, null, "x"));

        recorder.Error.Should().BeSameAs(failure);
        recorder.Violations.Should().BeEmpty();
    }

    [Fact]
    public void MergeOptimistic_NullArguments_Throw()
    {
        using var edits = new EditSet<Op>();
        using var source = new KeyedSource<Item, string>(static item => item.Key);
        var options = new OptimisticOptions<Item, string, Op> { KeyOf = static _ => "k", Predict = static (_, c) => c };

        FluentActions.Invoking(() => source.Connect().MergeOptimistic((EditSet<Op>)null!, options)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => source.Connect().MergeOptimistic(edits, null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => ((IObservable<IChangeSet<Item, string>>)null!).MergeOptimistic(edits, options)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => source.Connect().MergeOptimistic(edits.Connect(), options, (System.Reactive.Concurrency.IScheduler)null!)).Should().Throw<ArgumentNullException>().WithParameterName("scheduler");
        FluentActions.Invoking(() => source.Connect().MergeOptimistic(edits.Connect(), options, (TimeProvider)null!)).Should().Throw<ArgumentNullException>().WithParameterName("timeProvider");
        FluentActions.Invoking(() => source.Connect().MergeOptimistic(edits, new OptimisticOptions<Item, string, Op> { KeyOf = static _ => "k", Predict = static (_, c) => c, SettleTimeout = TimeSpan.FromSeconds(-1) }))
            .Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Scaling_ItemsTouchedPerChange_IsTheSameAt1000And100000Items()
    {
        static (long Keys, long Predictions) WorkForOneRoundOfChanges(int size)
        {
            using var fixture = new MergeFixture();
            fixture.Authoritative.Edit(u =>
            {
                for (var i = 0; i < size; i++)
                {
                    u.AddOrUpdate(new Item("k" + i, "x", 1));
                }
            });
            var before = (fixture.Probe.KeysRecomputed, fixture.Probe.PredictionsEvaluated);

            var create = fixture.Edits.Request(new Op(OpKind.Create, null, "new"));
            var update = fixture.Edits.Request(new Op(OpKind.Update, "k7", "mine"));
            fixture.Authoritative.AddOrUpdate(new Item("k7", "theirs", 2));
            fixture.Authoritative.AddOrUpdate(new Item(MergeFixture.CreatedKey(create.Id), "new", 1));
            create.Token.Accept();
            update.Token.Reject(new InvalidOperationException("no"));
            fixture.Edits.Retry(update.Id);
            update = fixture.Edits.Items.Single();
            update.Token.Accept();
            fixture.Authoritative.Remove("k3");

            return (fixture.Probe.KeysRecomputed - before.KeysRecomputed, fixture.Probe.PredictionsEvaluated - before.PredictionsEvaluated);
        }

        var small = WorkForOneRoundOfChanges(1_000);
        var large = WorkForOneRoundOfChanges(100_000);

        large.Should().Be(small);
        small.Keys.Should().BeLessThan(20);
    }
}
