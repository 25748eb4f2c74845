using Reactive.Edits.ChangeSets;
using Reactive.Edits.Optimistic;

namespace Reactive.Edits.Tests.Optimistic;

/// <summary>
/// An edit applies at most once (DESIGN.md §4): when the authoritative item already contains an unsettled edit, its
/// prediction is not applied on top; the item shows the authoritative value, still marked with the edit's state.
/// </summary>
public sealed class OptimisticMergeInclusionTests
{
    [Fact]
    public void PendingAdd_AuthoritativeItemThatIncludesIt_IsNotAppliedTwice()
    {
        using var fixture = new CounterFixture();
        fixture.Authoritative.AddOrUpdate(Counter.New("c", 10));
        var edit = fixture.Edits.Request(CounterOp.Add("c", 1));

        fixture.SomeoneElseAdds("c", 10);                  // 20: the edit is not in it, so it is predicted on top
        fixture["c"].Item.Value.Should().Be(21);
        fixture.ServerApplies(edit);                       // 21: the edit is in it
        fixture["c"].Item.Value.Should().Be(21, "the authoritative 21 already contains the +1");
        fixture["c"].State.Should().Be(OptimisticState.Pending, "the edit is not acknowledged yet");
        edit.Token.Accept();

        fixture.PublishedValues("c").Should().Equal("10 Confirmed", "11 Pending", "21 Pending", "21 Pending", "21 Confirmed");
        fixture.Mismatches.Should().BeEmpty();
        fixture.Shown.Violations.Should().BeEmpty();
    }

    [Fact]
    public void PendingAdd_ServerIncludesItWithAnotherResult_IsReportedAsAMismatchWhenTheItemReplacesThePrediction()
    {
        using var fixture = new CounterFixture();
        fixture.Authoritative.AddOrUpdate(Counter.New("c", 10));
        var edit = fixture.Edits.Request(CounterOp.Add("c", 1));

        // The server took the edit into account, and resolved it otherwise (another rule, a conflict): 15, not 11.
        fixture.Authoritative.AddOrUpdate(new Counter("c", 15, [edit.Id]));
        edit.Token.Accept();

        fixture.PublishedValues("c").Should().Equal("10 Confirmed", "11 Pending", "15 Pending", "15 Confirmed");
        fixture["c"].IsPredicted.Should().BeFalse();
        fixture.Mismatches.Should().ContainSingle().Which.Should().Match<PredictionMismatch<Counter, string>>(
            mismatch => mismatch.Predicted.Value == 11 && mismatch.Confirmed.Value == 15 && mismatch.EditId == edit.Id);
    }

    [Fact]
    public void PendingAdd_AckBeforeTheItemThatIncludesIt_IsNotAppliedTwice()
    {
        using var fixture = new CounterFixture();
        fixture.Authoritative.AddOrUpdate(Counter.New("c", 10));
        var edit = fixture.Edits.Request(CounterOp.Add("c", 1));

        edit.Token.Accept();
        fixture.SomeoneElseAdds("c", 10);
        fixture.ServerApplies(edit);

        fixture.PublishedValues("c").Should().Equal("10 Confirmed", "11 Pending", "21 Pending", "21 Confirmed");
        fixture["c"].Item.Should().Be(new Counter("c", 21, [edit.Id]));
        fixture.Mismatches.Should().BeEmpty();
        fixture.Shown.Violations.Should().BeEmpty();
    }

    [Fact]
    public void TwoPendingAddsOnOneKey_TheServerAppliesTheLaterFirst_OnlyTheOtherIsPredictedOnTop()
    {
        using var fixture = new CounterFixture();
        fixture.Authoritative.AddOrUpdate(Counter.New("c", 10));
        var first = fixture.Edits.Request(CounterOp.Add("c", 1));
        var second = fixture.Edits.Request(CounterOp.Add("c", 5));
        fixture["c"].Item.Value.Should().Be(16);

        fixture.ServerApplies(second);                     // 15, with the +5 in it
        fixture["c"].Item.Value.Should().Be(16, "only the +1 is missing from the authoritative 15");
        fixture.ServerApplies(first);                      // 16, with both in it
        fixture["c"].Item.Value.Should().Be(16);
        fixture["c"].State.Should().Be(OptimisticState.Pending);
        first.Token.Accept();
        second.Token.Accept();

        fixture["c"].State.Should().Be(OptimisticState.Confirmed);
        fixture.PublishedValues("c").Should().Equal("10 Confirmed", "11 Pending", "16 Pending", "16 Pending", "16 Pending", "16 Confirmed");
        fixture.Mismatches.Should().BeEmpty();
        fixture.Shown.Violations.Should().BeEmpty();
    }

    [Fact]
    public void FailedAddTheServerApplied_IsNotAppliedAgain_WhileFailedOrAfterRetry()
    {
        using var fixture = new CounterFixture();
        fixture.Authoritative.AddOrUpdate(Counter.New("c", 10));
        var edit = fixture.Edits.Request(CounterOp.Add("c", 1));
        fixture.ServerApplies(edit);                       // the server applied it, but its ack is lost
        var error = new TimeoutException("no answer");

        edit.Token.Reject(error);
        fixture["c"].Item.Value.Should().Be(11);
        fixture["c"].State.Should().Be(OptimisticState.Failed);
        fixture["c"].Error.Should().BeSameAs(error);
        fixture.Edits.Retry(edit.Id).Should().BeTrue();
        fixture["c"].Item.Value.Should().Be(11);
        fixture["c"].State.Should().Be(OptimisticState.Pending);
        fixture.Edits.Items.Single().Token.Accept();

        fixture.PublishedValues("c").Should().Equal("10 Confirmed", "11 Pending", "11 Pending", "11 Failed", "11 Pending", "11 Confirmed");
        fixture.Shown.Violations.Should().BeEmpty();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PendingCreation_ItsAuthoritativeItem_ReplacesThePredictionInPlace(bool ackFirst)
    {
        using var fixture = new CounterFixture();
        var edit = fixture.Edits.Request(CounterOp.Create(5));
        var key = CounterFixture.CreatedKey(edit.Id);
        fixture[key].IsLocal.Should().BeTrue();

        if (ackFirst)
        {
            edit.Token.Accept();
        }

        fixture.ServerApplies(edit);
        if (!ackFirst)
        {
            fixture[key].Item.Should().Be(new Counter(key, 5, [edit.Id]), "the authoritative item shows, the prediction is not applied on it");
            fixture[key].State.Should().Be(OptimisticState.Pending);
            fixture[key].IsLocal.Should().BeFalse();
            edit.Token.Accept();
        }

        fixture[key].Item.Should().Be(new Counter(key, 5, [edit.Id]));
        fixture[key].State.Should().Be(OptimisticState.Confirmed);
        fixture.Shown.History[key].Should().NotContain(ChangeReason.Remove);
        fixture.Shown.Violations.Should().BeEmpty();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PendingDeletion_OnceSettled_IsNotAppliedToALaterItemOfTheSameKey(bool ackFirst)
    {
        using var fixture = new CounterFixture();
        fixture.Authoritative.AddOrUpdate(Counter.New("c", 10));
        var edit = fixture.Edits.Request(CounterOp.Delete("c"));
        fixture.Shown.Items.Should().NotContainKey("c");

        if (ackFirst)
        {
            edit.Token.Accept();
            fixture.Shown.Items.Should().NotContainKey("c", "the deletion is predicted until the server's removal arrives");
        }

        fixture.ServerApplies(edit);
        if (!ackFirst)
        {
            edit.Token.Accept();
        }

        fixture.Authoritative.AddOrUpdate(Counter.New("c", 0));   // a new counter under the same key, later

        fixture["c"].Item.Should().Be(Counter.New("c", 0), "the deletion was applied once, to the item it was meant for");
        fixture["c"].State.Should().Be(OptimisticState.Confirmed);
        fixture.Shown.Violations.Should().BeEmpty();
    }
}
