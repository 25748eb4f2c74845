using Reactive.Edits.ChangeSets;
using Reactive.Edits.Remote;
using Reactive.Edits.Testing;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Remote.Tests;

public sealed class RemoteEditClientTests : IDisposable
{
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(10);

    private readonly TestClock _clock = new();
    private readonly EditSet<string> _edits;
    private readonly RemoteEditClient<string> _client;
    private readonly ObservableRecorder<EditRequest<string>> _sent;

    public RemoteEditClientTests()
    {
        _edits = new EditSet<string>(EditSetOptions.Default, _clock);
        _client = new RemoteEditClient<string>(_edits, new RemoteEditOptions { AckTimeout = AckTimeout, MaxSendAttempts = 3, GiveUpAfter = TimeSpan.FromMinutes(1) }, _clock);
        _sent = _client.Outgoing.Record();
    }

    public void Dispose()
    {
        _sent.Violations.Should().BeEmpty();
        _sent.Dispose();
        _client.Dispose();
        _edits.Dispose();
    }

    [Fact]
    public void Request_WhileConnected_SendsTheEnvelopeAtOnce()
    {
        _client.OnConnected();

        var edit = _edits.Request("hello");

        _sent.Values.Should().Equal(new EditRequest<string>(edit.Id, 1, "hello"));
        _client.TryGetDelivery(edit.Id, out var delivery).Should().BeTrue();
        delivery!.State.Should().Be(RemoteDeliveryState.Sent);
        delivery.SendCount.Should().Be(1);
        delivery.LastSentAt.Should().Be(TestClock.Epoch);
    }

    [Fact]
    public void Request_WhileDisconnected_QueuesUntilConnected()
    {
        var first = _edits.Request("one");
        var second = _edits.Request("two");

        _sent.Values.Should().BeEmpty();
        _client.TryGetDelivery(first.Id, out var delivery).Should().BeTrue();
        delivery!.State.Should().Be(RemoteDeliveryState.Queued);

        _client.OnConnected();

        _sent.Values.Select(r => r.Id).Should().Equal(first.Id, second.Id);
    }

    [Fact]
    public void Constructor_EditsStartedBefore_ArePickedUp()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var early = edits.Request("early");
        using var client = new RemoteEditClient<string>(edits, RemoteEditOptions.Default, _clock);
        using var sent = client.Outgoing.Record();

        client.OnConnected();

        sent.Values.Should().ContainSingle().Which.Id.Should().Be(early.Id);
    }

    [Fact]
    public void OnDisconnected_AfterSend_KeepsTheEditPendingAndUnknown()
    {
        _client.OnConnected();
        var edit = _edits.Request("hello");

        _client.OnDisconnected();

        _edits.TryGetEdit(edit.Id, out var current).Should().BeTrue();
        current!.Status.Should().Be(EditStatus.Pending);
        _client.TryGetDelivery(edit.Id, out var delivery).Should().BeTrue();
        delivery!.State.Should().Be(RemoteDeliveryState.Unknown);
    }

    [Fact]
    public void OnConnected_AfterDisconnect_ResendsWithTheSameIdAndAttempt()
    {
        _client.OnConnected();
        var edit = _edits.Request("hello");
        _client.OnDisconnected();

        _client.OnConnected();

        _sent.Values.Should().Equal(new EditRequest<string>(edit.Id, 1, "hello"), new EditRequest<string>(edit.Id, 1, "hello"));
        _client.TryGetDelivery(edit.Id, out var delivery).Should().BeTrue();
        delivery!.SendCount.Should().Be(2);
    }

    [Fact]
    public void OnDisconnected_ThenTimeoutElapses_NothingIsRejectedOrResent()
    {
        _client.OnConnected();
        var edit = _edits.Request("hello");
        _client.OnDisconnected();

        _clock.AdvanceBy(AckTimeout * 2);

        _sent.Values.Should().HaveCount(1);
        _edits.TryGetEdit(edit.Id, out var current).Should().BeTrue();
        current!.Status.Should().Be(EditStatus.Pending);
    }

    [Fact]
    public void OnAcknowledged_CurrentAttempt_AcceptsTheEdit()
    {
        _client.OnConnected();
        var edit = _edits.Request("hello");
        using var deliveries = _client.Deliveries.Record();

        _client.OnAcknowledged(edit.Id, 1).Should().BeTrue();

        edit.Token.IsSpent.Should().BeTrue();
        _edits.Items.Should().BeEmpty();
        var removal = deliveries.Values.SelectMany(c => c).Single(c => c.Reason == ChangeReason.Remove);
        removal.Current.State.Should().Be(RemoteDeliveryState.Acknowledged);
        removal.Previous!.State.Should().Be(RemoteDeliveryState.Sent);
        _client.TryGetDelivery(edit.Id, out _).Should().BeFalse();
    }

    [Fact]
    public void OnAcknowledged_Duplicate_IsANoOp()
    {
        _client.OnConnected();
        var edit = _edits.Request("hello");
        _client.OnAcknowledged(edit.Id, 1);

        _client.OnAcknowledged(edit.Id, 1).Should().BeFalse();
        _client.OnRejected(edit.Id, 1, new RemoteError("late", "late")).Should().BeFalse();
    }

    [Fact]
    public void OnReply_ForAnEarlierAttempt_DoesNotSettleTheRetry()
    {
        _client.OnConnected();
        var edit = _edits.Request("hello");
        _client.OnRejected(edit.Id, 1, new RemoteError("rate", "Too fast")).Should().BeTrue();
        _edits.Retry(edit.Id).Should().BeTrue();

        _client.OnAcknowledged(edit.Id, 1).Should().BeFalse();
        _client.OnRejected(edit.Id, 1, new RemoteError("rate", "Too fast")).Should().BeFalse();

        _edits.TryGetEdit(edit.Id, out var current).Should().BeTrue();
        current!.Status.Should().Be(EditStatus.Pending);
        current.Attempt.Should().Be(2);
        _sent.Values.Last().Should().Be(new EditRequest<string>(edit.Id, 2, "hello"));
        _client.OnAcknowledged(edit.Id, 2).Should().BeTrue();
        _edits.Items.Should().BeEmpty();
    }

    [Fact]
    public void OnRejected_CurrentAttempt_RejectsWithTheServersCodeAndMessage()
    {
        _client.OnConnected();
        var edit = _edits.Request("hello");

        _client.OnRejected(edit.Id, 1, new RemoteError("chat.too-long", "At most 5 characters.")).Should().BeTrue();

        _edits.TryGetEdit(edit.Id, out var current).Should().BeTrue();
        current!.Status.Should().Be(EditStatus.Rejected);
        current.Value.Should().Be("hello");
        var error = current.Error.Should().BeOfType<RemoteEditRejectedException>().Subject;
        error.Code.Should().Be("chat.too-long");
        error.Message.Should().Be("At most 5 characters.");
    }

    [Fact]
    public void AckTimeout_MarksUnknownAndResendsWithTheSameId_WithoutRejecting()
    {
        _client.OnConnected();
        var edit = _edits.Request("hello");
        using var deliveries = _client.Deliveries.Record();

        _clock.AdvanceBy(AckTimeout);

        _sent.Values.Should().Equal(new EditRequest<string>(edit.Id, 1, "hello"), new EditRequest<string>(edit.Id, 1, "hello"));
        deliveries.Values.SelectMany(c => c).Select(c => c.Current.State)
            .Should().ContainInOrder(RemoteDeliveryState.Unknown, RemoteDeliveryState.Sent);
        _edits.TryGetEdit(edit.Id, out var current).Should().BeTrue();
        current!.Status.Should().Be(EditStatus.Pending);

        _client.OnAcknowledged(edit.Id, 1).Should().BeTrue();
        _edits.Items.Should().BeEmpty();
    }

    [Fact]
    public void AckTimeout_OfAnEarlierSend_IsIgnoredAfterAResend()
    {
        _client.OnConnected();
        var edit = _edits.Request("hello");
        _clock.AdvanceBy(AckTimeout / 2);
        _client.OnDisconnected();
        _client.OnConnected();

        _clock.AdvanceBy(AckTimeout / 2);

        _sent.Values.Should().HaveCount(2, "the first send's timer was stopped by the disconnect");
        _client.TryGetDelivery(edit.Id, out var delivery).Should().BeTrue();
        delivery!.State.Should().Be(RemoteDeliveryState.Sent);
    }

    [Fact]
    public void MaxSendAttempts_AllUnanswered_GivesUpWithADistinctError()
    {
        _client.OnConnected();
        var edit = _edits.Request("hello");

        _clock.AdvanceBy(AckTimeout * 2);
        _edits.TryGetEdit(edit.Id, out var before).Should().BeTrue();
        before!.Status.Should().Be(EditStatus.Pending);
        _clock.AdvanceBy(AckTimeout);

        _sent.Values.Should().HaveCount(3);
        _edits.TryGetEdit(edit.Id, out var current).Should().BeTrue();
        current!.Status.Should().Be(EditStatus.Rejected);
        var error = current.Error.Should().BeOfType<RemoteEditGaveUpException>().Subject;
        error.SendCount.Should().Be(3);
        error.Elapsed.Should().Be(AckTimeout * 3);
    }

    [Fact]
    public void GiveUpAfter_WhileDisconnected_GivesUp()
    {
        var edit = _edits.Request("hello");

        _clock.AdvanceBy(TimeSpan.FromMinutes(1));

        _edits.TryGetEdit(edit.Id, out var current).Should().BeTrue();
        current!.Error.Should().BeOfType<RemoteEditGaveUpException>().Which.SendCount.Should().Be(0);
        _sent.Values.Should().BeEmpty();
    }

    [Fact]
    public void Retry_AfterGiveUp_SendsTheSameIdAsANewAttempt()
    {
        _client.OnConnected();
        var edit = _edits.Request("hello");
        _clock.AdvanceBy(AckTimeout * 3);

        _edits.Retry(edit.Id).Should().BeTrue();

        _sent.Values.Last().Should().Be(new EditRequest<string>(edit.Id, 2, "hello"));
    }

    [Fact]
    public void Cancel_NeverSent_IsBeforeStartAndNothingIsSentLater()
    {
        var edit = _edits.Request("hello");

        _client.Cancel(edit.Id).Should().Be(EditCancellation.BeforeStart);
        _client.OnConnected();

        _sent.Values.Should().BeEmpty();
        _edits.Items.Should().BeEmpty();
    }

    [Fact]
    public void Cancel_AfterSend_IsAfterStartAndTrackingStops()
    {
        _client.OnConnected();
        var edit = _edits.Request("hello");
        using var deliveries = _client.Deliveries.Record();

        _client.Cancel(edit.Id).Should().Be(EditCancellation.AfterStart);

        _client.OnAcknowledged(edit.Id, 1).Should().BeFalse();
        _client.TryGetDelivery(edit.Id, out _).Should().BeFalse();
        deliveries.Values.SelectMany(c => c).Last().Current.State.Should().Be(RemoteDeliveryState.Abandoned);
        _client.OnDisconnected();
        _client.OnConnected();
        _sent.Values.Should().HaveCount(1);
    }

    [Fact]
    public void Cancel_QueuedRetryAfterAnUnknownAttempt_IsAfterStart()
    {
        _client.OnConnected();
        var edit = _edits.Request("hello");
        _clock.AdvanceBy(AckTimeout * 3);
        _client.OnDisconnected();
        _edits.Retry(edit.Id).Should().BeTrue();

        _client.Cancel(edit.Id).Should().Be(EditCancellation.AfterStart, "the given-up first attempt may have been applied");
    }

    [Fact]
    public void Cancel_QueuedRetryAfterADefiniteRejection_IsBeforeStart()
    {
        _client.OnConnected();
        var edit = _edits.Request("hello");
        _client.OnRejected(edit.Id, 1, new RemoteError("rate", "Too fast"));
        _client.OnDisconnected();
        _edits.Retry(edit.Id).Should().BeTrue();

        _client.Cancel(edit.Id).Should().Be(EditCancellation.BeforeStart);
    }

    [Fact]
    public void Cancel_UnknownEdit_IsNotCancelled()
    {
        _client.Cancel(EditId.New()).Should().Be(EditCancellation.NotCancelled);
    }

    [Fact]
    public void TokenSpentElsewhere_StopsTrackingAsAbandoned()
    {
        _client.OnConnected();
        var edit = _edits.Request("hello");
        using var deliveries = _client.Deliveries.Record();

        edit.Token.Accept();

        _client.TryGetDelivery(edit.Id, out _).Should().BeFalse();
        deliveries.Values.SelectMany(c => c).Last().Current.State.Should().Be(RemoteDeliveryState.Abandoned);
        _clock.AdvanceBy(AckTimeout * 5);
        _sent.Values.Should().HaveCount(1);
    }

    [Fact]
    public void Dispose_CompletesTheStreamsAndLeavesEditsPending()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var client = new RemoteEditClient<string>(edits, RemoteEditOptions.Default, _clock);
        using var sent = client.Outgoing.Record();
        using var deliveries = client.Deliveries.Record();
        var edit = edits.Request("hello");

        client.Dispose();

        sent.IsCompleted.Should().BeTrue();
        deliveries.IsCompleted.Should().BeTrue();
        edits.TryGetEdit(edit.Id, out var current).Should().BeTrue();
        current!.IsPending.Should().BeTrue();
        var act = client.OnConnected;
        act.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void Constructor_InvalidArguments_Throw()
    {
        var noEdits = () => new RemoteEditClient<string>(null!);
        var noOptions = () => new RemoteEditClient<string>(_edits, null!);
        var noScheduler = () => new RemoteEditClient<string>(_edits, RemoteEditOptions.Default, null!);
        var badTimeout = () => new RemoteEditClient<string>(_edits, new RemoteEditOptions { AckTimeout = TimeSpan.Zero });
        var badAttempts = () => new RemoteEditClient<string>(_edits, new RemoteEditOptions { MaxSendAttempts = 0 });
        var badGiveUp = () => new RemoteEditClient<string>(_edits, new RemoteEditOptions { GiveUpAfter = TimeSpan.FromSeconds(-1) });

        noEdits.Should().Throw<ArgumentNullException>();
        noOptions.Should().Throw<ArgumentNullException>();
        noScheduler.Should().Throw<ArgumentNullException>();
        badTimeout.Should().Throw<ArgumentOutOfRangeException>();
        badAttempts.Should().Throw<ArgumentOutOfRangeException>();
        badGiveUp.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Options_Defaults_AreAsDocumented()
    {
        var options = RemoteEditOptions.Default;

        options.AckTimeout.Should().Be(TimeSpan.FromSeconds(10));
        options.MaxSendAttempts.Should().Be(10);
        options.GiveUpAfter.Should().Be(TimeSpan.FromMinutes(5));
    }

    [Fact]
    public void InfiniteBounds_NeverTimeOutOrGiveUp()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var client = new RemoteEditClient<string>(edits, new RemoteEditOptions { AckTimeout = Timeout.InfiniteTimeSpan, GiveUpAfter = Timeout.InfiniteTimeSpan }, _clock);
        using var sent = client.Outgoing.Record();
        client.OnConnected();
        var edit = edits.Request("hello");

        _clock.AdvanceBy(TimeSpan.FromDays(1));

        sent.Values.Should().HaveCount(1);
        edits.TryGetEdit(edit.Id, out var current).Should().BeTrue();
        current!.IsPending.Should().BeTrue();
    }

    [Fact]
    public void QueuedPolicy_SendsTheNextEditOnlyAfterTheFirstIsAcknowledged()
    {
        using var edits = new EditSet<string>(new EditSetOptions { Policy = EditPolicy.Queued }, _clock);
        using var client = new RemoteEditClient<string>(edits, RemoteEditOptions.Default, _clock);
        using var sent = client.Outgoing.Record();
        client.OnConnected();
        var first = edits.Request("one");
        var second = edits.Request("two");

        sent.Values.Select(r => r.Id).Should().Equal(first.Id);
        client.Cancel(second.Id).Should().Be(EditCancellation.BeforeStart, "a waiting edit was never started");
        var third = edits.Request("three");
        client.OnAcknowledged(first.Id, 1);

        sent.Values.Select(r => r.Id).Should().Equal(first.Id, third.Id);
    }
}
