using Reactive.Edits.Remote;
using Reactive.Edits.Testing;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Testing.Tests;

public sealed class ScriptedEditServerTests : IDisposable
{
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(10);

    private readonly TestClock _clock = new();
    private readonly EditSet<string> _edits;
    private readonly RemoteEditClient<string> _client;
    private readonly ScriptedEditServer<string> _server;
    private readonly EditRecorder<string> _events;
    private readonly ObservableRecorder<EditRequest<string>> _echoes;
    private readonly List<(string What, EditId Id, TimeSpan At)> _timeline = [];

    public ScriptedEditServerTests()
    {
        _edits = new EditSet<string>(EditSetOptions.Default, _clock);
        _client = new RemoteEditClient<string>(_edits, new RemoteEditOptions { AckTimeout = AckTimeout, MaxSendAttempts = 5 }, _clock);
        _server = new ScriptedEditServer<string>(_client, _clock);
        _events = new EditRecorder<string>(_edits, _clock);
        _echoes = _server.Echoes.Record();
        _server.Echoes.Subscribe(r => _timeline.Add(("echo", r.Id, _clock.Elapsed)));
        _edits.Events.Subscribe(e =>
        {
            if (e.Kind is EditEventKind.Accepted or EditEventKind.Rejected)
            {
                _timeline.Add((e.Kind.ToString(), e.Edit.Id, _clock.Elapsed));
            }
        });
        _server.Connect();
    }

    public void Dispose()
    {
        _events.Violations.Should().BeEmpty();
        _echoes.Violations.Should().BeEmpty();
        _server.Dispose();
        _client.Dispose();
        _edits.Dispose();
    }

    [Fact]
    public void AckBeforeEcho_AcceptsThenEchoesOnce()
    {
        _server.Script = _ => new ScriptedResponse { AckDelay = TimeSpan.FromSeconds(1), EchoDelay = TimeSpan.FromSeconds(2) };
        var edit = _edits.Request("hello");

        _clock.AdvanceBy(TimeSpan.FromSeconds(3));

        _timeline.Should().Equal(("Accepted", edit.Id, TimeSpan.FromSeconds(1)), ("echo", edit.Id, TimeSpan.FromSeconds(2)));
        _echoes.Values.Should().ContainSingle().Which.Command.Should().Be("hello");
    }

    [Fact]
    public void EchoBeforeAck_EchoesWhileStillPendingThenAccepts()
    {
        _server.Script = _ => new ScriptedResponse { EchoDelay = TimeSpan.FromSeconds(1), AckDelay = TimeSpan.FromSeconds(2) };
        var edit = _edits.Request("hello");
        var pendingAtEcho = false;
        using var probe = _server.Echoes.Subscribe(_ => pendingAtEcho = _edits.TryGetEdit(edit.Id, out var e) && e.IsPending);

        _clock.AdvanceBy(TimeSpan.FromSeconds(3));

        pendingAtEcho.Should().BeTrue();
        _timeline.Should().Equal(("echo", edit.Id, TimeSpan.FromSeconds(1)), ("Accepted", edit.Id, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void DuplicatedAck_SettlesOnceAndTheSecondCopyIsANoOp()
    {
        _server.Script = _ => new ScriptedResponse { AckCopies = 2 };
        var edit = _edits.Request("hello");

        _clock.AdvanceBy(TimeSpan.FromSeconds(1));

        _events.KindsOf(edit.Id).Should().Equal(EditEventKind.Requested, EditEventKind.Started, EditEventKind.Accepted);
        _server.Applied.Should().HaveCount(1);
    }

    [Fact]
    public void DroppedAck_ThenTimeoutResend_IsAnsweredFromTheLedgerWithOneEffect()
    {
        _server.Script = delivery => delivery.DeliveryCount == 1 ? new ScriptedResponse { AckDelay = null } : ScriptedResponse.Accept;
        var edit = _edits.Request("hello");

        _clock.AdvanceBy(AckTimeout - TimeSpan.FromTicks(1));
        _edits.TryGetEdit(edit.Id, out var waiting).Should().BeTrue();
        waiting!.IsPending.Should().BeTrue();
        _clock.AdvanceBy(TimeSpan.FromTicks(1));

        _server.Received.Should().Equal(new EditRequest<string>(edit.Id, 1, "hello"), new EditRequest<string>(edit.Id, 1, "hello"));
        _server.Applied.Should().ContainSingle();
        _echoes.Values.Should().ContainSingle();
        _events.KindsOf(edit.Id).Should().Equal(EditEventKind.Requested, EditEventKind.Started, EditEventKind.Accepted);
        _timeline.Should().Contain(("Accepted", edit.Id, AckTimeout));
    }

    [Fact]
    public void Timeout_GoesUnknownThenResendIsAccepted_InVirtualTimeOnly()
    {
        _server.Script = delivery => delivery.DeliveryCount switch
        {
            1 => new ScriptedResponse { AckDelay = AckTimeout * 3 },   // answered far too late: the client has moved on
            _ => new ScriptedResponse { AckDelay = TimeSpan.FromSeconds(1) },
        };
        var edit = _edits.Request("hello");
        var states = new List<RemoteDeliveryState>();
        using var deliveries = _client.Deliveries.Subscribe(changes => states.AddRange(changes.Select(c => c.Current.State)));

        _clock.AdvanceBy(AckTimeout);
        _client.TryGetDelivery(edit.Id, out var afterTimeout).Should().BeTrue();
        afterTimeout!.State.Should().Be(RemoteDeliveryState.Sent);
        afterTimeout.SendCount.Should().Be(2);
        _clock.AdvanceBy(TimeSpan.FromSeconds(1));

        states.Should().Equal(RemoteDeliveryState.Sent, RemoteDeliveryState.Unknown, RemoteDeliveryState.Sent, RemoteDeliveryState.Acknowledged);
        _events.KindsOf(edit.Id).Should().Equal(EditEventKind.Requested, EditEventKind.Started, EditEventKind.Accepted);
        _server.Applied.Should().ContainSingle();
        _clock.AdvanceBy(AckTimeout * 3);
        _events.KindsOf(edit.Id).Should().HaveCount(3, "the late first answer is a no-op");
    }

    [Fact]
    public void DisconnectWithAckInFlight_ReconnectResends_OneEffectAndAccepted()
    {
        _server.Script = _ => new ScriptedResponse { AckDelay = TimeSpan.FromSeconds(2), EchoDelay = TimeSpan.FromSeconds(1) };
        var edit = _edits.Request("hello");
        _clock.AdvanceBy(TimeSpan.FromSeconds(1));
        _server.Disconnect();
        _clock.AdvanceBy(TimeSpan.FromSeconds(5));
        _edits.TryGetEdit(edit.Id, out var during).Should().BeTrue();
        during!.IsPending.Should().BeTrue("a lost connection leaves the outcome unknown, not failed");

        _server.Connect();
        _clock.AdvanceBy(TimeSpan.FromSeconds(2));

        _server.Applied.Should().ContainSingle();
        _echoes.Values.Should().ContainSingle();
        _events.KindsOf(edit.Id).Should().EndWith(EditEventKind.Accepted);
    }

    [Fact]
    public void RejectionWithAckDropped_ResendGetsTheSameRejection()
    {
        _server.Script = delivery => delivery.DeliveryCount == 1
            ? new ScriptedResponse { Rejection = new RemoteError("chat.empty", "Empty message."), AckDelay = null }
            : ScriptedResponse.Accept;
        var edit = _edits.Request("hello");

        _clock.AdvanceBy(AckTimeout);

        _edits.TryGetEdit(edit.Id, out var current).Should().BeTrue();
        current!.Status.Should().Be(EditStatus.Rejected);
        current.Error.Should().BeOfType<RemoteEditRejectedException>().Which.Code.Should().Be("chat.empty");
        _server.Applied.Should().BeEmpty();
        _echoes.Values.Should().BeEmpty();
    }

    [Fact]
    public void ReorderedAcks_EachSettlesItsOwnEdit()
    {
        _server.Script = delivery => new ScriptedResponse { AckDelay = delivery.Request.Command == "first" ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(1) };
        var first = _edits.Request("first");
        var second = _edits.Request("second");

        _clock.AdvanceBy(TimeSpan.FromSeconds(3));

        _timeline.Where(t => t.What == "Accepted").Select(t => t.Id).Should().Equal(second.Id, first.Id);
        _edits.Items.Should().BeEmpty();
    }

    [Fact]
    public void RetryAfterRejection_IsAppliedAgain()
    {
        _server.Script = delivery => delivery.Request.Attempt == 1 ? ScriptedResponse.Reject("rate", "Too fast.") : ScriptedResponse.Accept;
        var edit = _edits.Request("hello");
        _clock.AdvanceBy(TimeSpan.FromSeconds(1));

        _edits.Retry(edit.Id).Should().BeTrue();
        _clock.AdvanceBy(TimeSpan.FromSeconds(1));

        _events.KindsOf(edit.Id).Should().Equal(
            EditEventKind.Requested, EditEventKind.Started, EditEventKind.Rejected, EditEventKind.Retried, EditEventKind.Started, EditEventKind.Accepted);
        _server.Applied.Should().ContainSingle().Which.Attempt.Should().Be(2);
    }

    [Fact]
    public void Constructor_NullArguments_Throw()
    {
        var noClient = () => new ScriptedEditServer<string>(null!, _clock);
        var noScheduler = () => new ScriptedEditServer<string>(_client, null!);

        noClient.Should().Throw<ArgumentNullException>();
        noScheduler.Should().Throw<ArgumentNullException>();
    }
}
