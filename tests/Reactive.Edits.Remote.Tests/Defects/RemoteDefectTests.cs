using System.Diagnostics.Metrics;
using Reactive.Edits.Testing;

namespace Reactive.Edits.Remote.Tests.Defects;

/// <summary>Defects of the remote layer, each pinned by a test that failed before its fix.</summary>
public sealed class RemoteDefectTests
{
    [Fact]
    public void ClientDispose_Twice_DoesNotThrow()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, new TestClock());
        var client = new RemoteEditClient<string>(edits);
        client.Dispose();

        var again = () => client.Dispose();

        again.Should().NotThrow();
    }

    [Fact]
    public void ServerDispose_Twice_DoesNotThrow()
    {
        var server = new RemoteEditServer().Handle<string>(static (_, _, _) => Task.CompletedTask);
        server.Dispose();

        var again = () => server.Dispose();

        again.Should().NotThrow();
    }

    [Fact]
    public void Outgoing_RequestRaisedBeforeAnyoneSubscribes_IsDeliveredToTheFirstSubscriber()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, new TestClock());
        using var client = new RemoteEditClient<string>(edits);
        client.OnConnected();
        var edit = edits.Request("early");

        var received = new List<EditRequest<string>>();
        using var subscription = client.Outgoing.Subscribe(received.Add);

        received.Should().Equal(new EditRequest<string>(edit.Id, 1, "early"));
    }

    [Fact]
    public void Delivery_ConnectedButNoOneSubscribed_StaysQueued_AndCancelPromisesNoEffect()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, new TestClock());
        using var client = new RemoteEditClient<string>(edits);
        client.OnConnected();
        var edit = edits.Request("early");

        client.TryGetDelivery(edit.Id, out var delivery).Should().BeTrue();
        delivery!.State.Should().Be(RemoteDeliveryState.Queued, "nobody took the envelope, so it was not sent");
        delivery.SendCount.Should().Be(0);
        client.Cancel(edit.Id).Should().Be(EditCancellation.BeforeStart);
    }

    [Fact]
    public void Outgoing_SecondSubscriberAfterTheFirst_DoesNotResendWhatWasSent()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, new TestClock());
        using var client = new RemoteEditClient<string>(edits);
        var first = new List<EditRequest<string>>();
        var second = new List<EditRequest<string>>();
        using var one = client.Outgoing.Subscribe(first.Add);
        client.OnConnected();
        edits.Request("once");

        using var two = client.Outgoing.Subscribe(second.Add);

        first.Should().ContainSingle();
        second.Should().BeEmpty("the attempt was sent already; a later subscriber sees later sends only");
    }

    [Fact]
    public async Task Server_HandlerThrows_IsCountedInTheMeter()
    {
        var failures = 0L;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Reactive.Edits" && instrument.Name == "reactive_edits.remote.handler_failures")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref failures, value));
        listener.Start();
        using var server = new RemoteEditServer().Handle<string>(static (_, _, _) => throw new InvalidOperationException("boom"));

        var reply = await server.ExecuteAsync(new EditRequest<string>(EditId.New(), 1, "x"), new RemoteEditConnection("c", null), default);

        reply!.Value.Outcome.Error!.Code.Should().Be(RemoteErrorCodes.Failed);
        Interlocked.Read(ref failures).Should().Be(1, "a crashing handler is recorded, not only answered");
    }

    [Fact]
    public async Task Server_HandlerThrows_RaisesHandlerFailedWithTheExceptionAndContext()
    {
        var failure = new InvalidOperationException("boom");
        using var server = new RemoteEditServer().Handle<string>((_, _, _) => throw failure);
        var raised = new List<RemoteEditHandlerFailedEventArgs>();
        server.HandlerFailed += (_, e) => raised.Add(e);
        var connection = new RemoteEditConnection("c", null);
        var request = new EditRequest<string>(EditId.New(), 1, "x");

        await server.ExecuteAsync(request, connection, default);

        raised.Should().ContainSingle();
        raised[0].Exception.Should().BeSameAs(failure);
        raised[0].Context.Should().Be(new RemoteEditContext(request.Id, 1, connection));
        raised[0].Command.Should().Be("x");
    }

    [Fact]
    public async Task Server_HandlerFailedSubscriberThrows_TheEditIsStillAnswered()
    {
        using var server = new RemoteEditServer().Handle<string>(static (_, _, _) => throw new InvalidOperationException("boom"));
        server.HandlerFailed += (_, _) => throw new InvalidOperationException("logger down");

        var reply = await server.ExecuteAsync(new EditRequest<string>(EditId.New(), 1, "x"), new RemoteEditConnection("c", null), default);

        reply!.Value.Outcome.Error!.Code.Should().Be(RemoteErrorCodes.Failed);
    }
}
