using Reactive.Edits.Remote;
using Reactive.Edits.Testing;

namespace Reactive.Edits.Remote.Tests;

/// <summary>Client and server cores connected by the channel drivers over in-memory channels: the wire, end to end.</summary>
public sealed class RemoteEditsOverChannelTests : IAsyncDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    private readonly TestClock _clock = new();
    private readonly EditWireProtocol _protocol = new EditWireProtocol().WithCommand(TestJson.Default.PostMessage);
    private readonly EditSet<PostMessage> _edits;
    private readonly RemoteEditClient<PostMessage> _client;
    private readonly RemoteEditServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Link> _links = [];
    private readonly TaskCompletionSource<Edit<PostMessage>> _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Func<PostMessage, RemoteEditContext, Task> _handler = (_, _) => Task.CompletedTask;
    private Func<WireMessage, ValueTask> _onClientMessage = _ => ValueTask.CompletedTask;

    public RemoteEditsOverChannelTests()
    {
        _edits = new EditSet<PostMessage>(EditSetOptions.Default, _clock);
        _edits.Events.Subscribe(e =>
        {
            if (e.Kind is EditEventKind.Accepted or EditEventKind.Rejected)
            {
                _settled.TrySetResult(e.Edit);
            }
        });

        // Virtual time that never advances: no ack timeout fires, only the connection's fate matters.
        _client = new RemoteEditClient<PostMessage>(_edits, RemoteEditOptions.Default, _clock);
        _server = new RemoteEditServer().Handle<PostMessage>((command, context, _) => _handler(command, context));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var link in _links)
        {
            await link.Client.WaitAsync(Guard);
            await link.Server.WaitAsync(Guard);
        }

        _client.Dispose();
        _server.Dispose();
        _edits.Dispose();
        _stop.Dispose();
    }

    [Fact]
    public async Task DropAfterCommitBeforeAck_ReconnectAndResend_OneEffectAndAccepted()
    {
        var effects = 0;
        _handler = (_, _) =>
        {
            // The effect is committed, then the network dies before the ack can leave.
            if (Interlocked.Increment(ref effects) == 1)
            {
                _links[^1].Channel.Drop();
            }

            return Task.CompletedTask;
        };
        var first = Connect();
        var edit = _edits.Request(new PostMessage("hello"));

        (await first.Client.WaitAsync(Guard)).Should().BeOfType<IOException>();
        await first.Server.WaitAsync(Guard);
        _edits.TryGetEdit(edit.Id, out var afterDrop).Should().BeTrue();
        afterDrop!.IsPending.Should().BeTrue("a lost connection leaves the outcome unknown");
        _client.TryGetDelivery(edit.Id, out var delivery).Should().BeTrue();
        delivery!.State.Should().Be(RemoteDeliveryState.Unknown);

        Connect();
        var settled = await _settled.Task.WaitAsync(Guard);

        settled.Id.Should().Be(edit.Id);
        settled.Status.Should().Be(EditStatus.Accepted);
        effects.Should().Be(1);
    }

    [Fact]
    public async Task RejectedThenDropBeforeTheAnswer_ResendGetsTheSameRejection()
    {
        var runs = 0;
        _handler = (_, _) =>
        {
            Interlocked.Increment(ref runs);
            _links[^1].Channel.Drop();
            throw new RemoteEditRejectedException("chat.rate", "Slow down.");
        };
        var first = Connect();
        var edit = _edits.Request(new PostMessage("hello"));
        await first.Client.WaitAsync(Guard);
        _edits.TryGetEdit(edit.Id, out var afterDrop).Should().BeTrue();
        afterDrop!.IsPending.Should().BeTrue();

        Connect();
        var settled = await _settled.Task.WaitAsync(Guard);

        settled.Status.Should().Be(EditStatus.Rejected);
        var error = settled.Error.Should().BeOfType<RemoteEditRejectedException>().Subject;
        error.Code.Should().Be("chat.rate");
        error.Message.Should().Be("Slow down.");
        runs.Should().Be(1);
    }

    [Fact]
    public async Task Broadcast_IsReceivedBeforeTheAck()
    {
        var pendingWhenEchoed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _handler = (command, context) =>
        {
            context.Connection.TryPost(_protocol.EncodeMessage("posted", command, TestJson.Default.PostMessage));
            return Task.CompletedTask;
        };
        _onClientMessage = message =>
        {
            if (message.Type == "posted")
            {
                // The only edit of this test; not looked up by id, since the echo may arrive before Request returns.
                pendingWhenEchoed.TrySetResult(_edits.Items is [{ IsPending: true }]);
            }

            return ValueTask.CompletedTask;
        };
        Connect();

        _edits.Request(new PostMessage("hello"));

        (await pendingWhenEchoed.Task.WaitAsync(Guard)).Should().BeTrue("the authoritative change is sent before the ack");
        (await _settled.Task.WaitAsync(Guard)).Status.Should().Be(EditStatus.Accepted);
    }

    [Fact]
    public async Task EditsRequestedOffline_AreSentOnConnectAndAppliedOnceEach()
    {
        var applied = new List<string>();
        var allApplied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _handler = (command, _) =>
        {
            lock (applied)
            {
                applied.Add(command.Text);
                if (applied.Count == 3)
                {
                    allApplied.TrySetResult();
                }
            }

            return Task.CompletedTask;
        };
        foreach (var text in new[] { "a", "b", "c" })
        {
            _edits.Request(new PostMessage(text));
        }

        Connect();
        await allApplied.Task.WaitAsync(Guard);
        var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var busy = _edits.IsBusy.Subscribe(b =>
        {
            if (!b)
            {
                idle.TrySetResult();
            }
        });
        await idle.Task.WaitAsync(Guard);

        applied.Should().BeEquivalentTo("a", "b", "c");
        _edits.Items.Should().BeEmpty();
    }

    [Fact]
    public async Task MalformedAndApplicationFrames_ReachTheServerCallback_AndTheConnectionSurvives()
    {
        var seen = new List<WireMessageKind>();
        var (clientEnd, serverEnd) = InMemoryMessageChannel.CreatePair();
        var connection = new RemoteEditConnection("c1", null);
        var server = _server.RunAsync(connection, serverEnd, _protocol, (_, message, _) =>
        {
            lock (seen)
            {
                seen.Add(message.Kind);
            }

            return ValueTask.CompletedTask;
        }, _stop.Token);

        await clientEnd.SendAsync(ChannelMessage.Text("{oops"), default);
        await clientEnd.SendAsync(ChannelMessage.Text("""{"type":"typing","payload":true}"""), default);
        await clientEnd.SendAsync(_protocol.EncodeEdit(new EditRequest<PostMessage>(EditId.New(), 1, new PostMessage("hi"))), default);
        var reply = _protocol.Decode((await clientEnd.ReceiveAsync(default).AsTask().WaitAsync(Guard))!.Value);

        reply.Kind.Should().Be(WireMessageKind.Ack);
        seen.Should().Equal(WireMessageKind.Malformed, WireMessageKind.Message);
        await clientEnd.CloseAsync(default);
        await server.WaitAsync(Guard);
        connection.Closed.IsCancellationRequested.Should().BeTrue();
    }

    [Fact]
    public async Task AckAndRejectFromAClient_ReachTheServerCallback_AndAreNotRun()
    {
        var seen = new List<WireMessage>();
        var runs = 0;
        _handler = (_, _) =>
        {
            Interlocked.Increment(ref runs);
            return Task.CompletedTask;
        };
        var (clientEnd, serverEnd) = InMemoryMessageChannel.CreatePair();
        var connection = new RemoteEditConnection("c1", null);
        var server = _server.RunAsync(connection, serverEnd, _protocol, (_, message, _) =>
        {
            lock (seen)
            {
                seen.Add(message);
            }

            return ValueTask.CompletedTask;
        }, _stop.Token);
        var id = EditId.New();

        await clientEnd.SendAsync(_protocol.EncodeReply(new EditReply(id, 1, EditOutcome.Accepted)), default);
        await clientEnd.SendAsync(_protocol.EncodeReply(new EditReply(id, 1, EditOutcome.Rejected(new RemoteError("x", "y")))), default);
        await clientEnd.SendAsync(_protocol.EncodeEdit(new EditRequest<PostMessage>(EditId.New(), 1, new PostMessage("hi"))), default);
        var reply = _protocol.Decode((await clientEnd.ReceiveAsync(default).AsTask().WaitAsync(Guard))!.Value);

        reply.Kind.Should().Be(WireMessageKind.Ack);
        seen.Select(m => (m.Kind, m.Type)).Should().Equal((WireMessageKind.Ack, "ack"), (WireMessageKind.Reject, "reject"));
        runs.Should().Be(1, "only the edit ran");
        await clientEnd.CloseAsync(default);
        await server.WaitAsync(Guard);
    }

    private Link Connect()
    {
        var (clientEnd, serverEnd) = InMemoryMessageChannel.CreatePair();
        var connection = new RemoteEditConnection($"c{_links.Count + 1}", null);
        var server = _server.RunAsync(connection, serverEnd, _protocol, null, _stop.Token);
        var client = _client.RunAsync(clientEnd, _protocol, (message, _) => _onClientMessage(message), _stop.Token);
        var link = new Link(clientEnd, client, server);
        _links.Add(link);
        return link;
    }

    private sealed record Link(InMemoryMessageChannel Channel, Task<Exception?> Client, Task Server);
}
