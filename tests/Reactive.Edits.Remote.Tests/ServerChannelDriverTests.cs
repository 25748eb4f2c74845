using Reactive.Edits.Remote.Tests.Support;

namespace Reactive.Edits.Remote.Tests;

public sealed class ServerChannelDriverTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RunAsync_TransportOutboxOverflows_MarksTheConnectionOverflowedAndEnds()
    {
        using var server = new RemoteEditServer().Handle<PostMessage>(static (_, _, _) => Task.CompletedTask);
        var connection = new RemoteEditConnection("c1", null);
        var channel = new OverflowingChannel();
        var run = server.RunAsync(connection, channel, new EditWireProtocol().WithCommand(TestJson.Default.PostMessage), null, default);

        connection.TryPost(ChannelMessage.Text("{}"));

        await run.WaitAsync(Guard);
        connection.Overflowed.Should().BeTrue();
        connection.Closed.IsCancellationRequested.Should().BeTrue();
    }

    [Fact]
    public async Task BoundOfOne_EditsOfAConnectionRunOneAtATime_AndFinishInArrivalOrder()
    {
        var gates = new[] { NewGate(), NewGate(), NewGate() };
        var started = new StartLog();
        using var server = new RemoteEditServer().Handle<PostMessage>(async (command, _, _) =>
        {
            started.Add(command.Text);
            await gates[int.Parse(command.Text, System.Globalization.CultureInfo.InvariantCulture)].Task;
        });
        await using var link = Link.Start(server, Protocol);
        var ids = new List<EditId>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(EditId.New());
            await link.Client.SendAsync(Protocol.EncodeEdit(new EditRequest<PostMessage>(ids[i], 1, new PostMessage(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))), default);
        }

        // The last one is released first: with a bound of 1 it has not even started.
        gates[2].TrySetResult();
        await started.WhenCount(1);
        var received = link.Client.ReceiveAsync(default).AsTask();
        received.IsCompleted.Should().BeFalse("edit 2 was released, but with a bound of 1 it has not started, so nothing is answered");
        started.Snapshot().Should().Equal("0");
        gates[0].TrySetResult();
        gates[1].TrySetResult();

        var replies = new List<EditId> { Protocol.Decode((await received.WaitAsync(Guard))!.Value).Reply.Id };
        for (var i = 1; i < 3; i++)
        {
            replies.Add(Protocol.Decode((await link.Client.ReceiveAsync(default).AsTask().WaitAsync(Guard))!.Value).Reply.Id);
        }

        replies.Should().Equal(ids, "with a bound of 1 the edits finish, and are answered, in arrival order");
        started.Snapshot().Should().Equal("0", "1", "2");
    }

    [Fact]
    public async Task BoundOfTwo_TwoRunAtOnce_StartedInArrivalOrder_TheThirdWaits()
    {
        var release = NewGate();
        var started = new StartLog();
        using var server = new RemoteEditServer(new RemoteEditServerOptions { MaxConcurrentEditsPerConnection = 2 }).Handle<PostMessage>(async (command, _, _) =>
        {
            started.Add(command.Text);

            if (command.Text != "c")
            {
                await release.Task;
            }
        });
        await using var link = Link.Start(server, Protocol);
        foreach (var text in new[] { "a", "b", "c" })
        {
            await link.Client.SendAsync(Protocol.EncodeEdit(new EditRequest<PostMessage>(EditId.New(), 1, new PostMessage(text))), default);
        }

        await started.WhenCount(2);
        var replies = link.Client.ReceiveAsync(default).AsTask();
        replies.IsCompleted.Should().BeFalse("both running edits wait, and the third has no slot");
        started.Snapshot().Should().Equal("a", "b");
        release.TrySetResult();
        await started.WhenCount(3);
        started.Snapshot().Should().Equal("a", "b", "c");
        (await replies.WaitAsync(Guard)).Should().NotBeNull();
    }

    [Fact]
    public async Task UnknownCommandKind_IsRejectedWithUnknownCommand_AndTheConnectionGoesOn()
    {
        using var server = new RemoteEditServer().Handle<PostMessage>(static (_, _, _) => Task.CompletedTask);
        await using var link = Link.Start(server, Protocol);
        var unknown = EditId.New();
        var known = EditId.New();

        await link.Client.SendAsync(ChannelMessage.Text($$$"""{"type":"edit","id":"{{{unknown}}}","attempt":1,"kind":"archive","command":{}}"""), default);
        await link.Client.SendAsync(Protocol.EncodeEdit(new EditRequest<PostMessage>(known, 1, new PostMessage("still here"))), default);

        var first = Protocol.Decode((await link.Client.ReceiveAsync(default).AsTask().WaitAsync(Guard))!.Value);
        var second = Protocol.Decode((await link.Client.ReceiveAsync(default).AsTask().WaitAsync(Guard))!.Value);
        first.Kind.Should().Be(WireMessageKind.Reject);
        first.Reply.Id.Should().Be(unknown);
        first.Reply.Outcome.Error!.Code.Should().Be(RemoteErrorCodes.UnknownCommand);
        first.Reply.Outcome.Error.Message.Should().Contain("archive");
        second.Kind.Should().Be(WireMessageKind.Ack);
        second.Reply.Id.Should().Be(known);
    }

    [Fact]
    public async Task CommandTypeWithoutHandler_IsRejectedWithUnknownCommand()
    {
        var protocol = Protocol.WithCommand("rename", TestJson.Default.RenameRoom);
        using var server = new RemoteEditServer().Handle<PostMessage>(static (_, _, _) => Task.CompletedTask);
        await using var link = Link.Start(server, protocol);
        var id = EditId.New();

        await link.Client.SendAsync(protocol.EncodeEdit(new EditRequest<RenameRoom>(id, 1, new RenameRoom("x"))), default);

        var reply = protocol.Decode((await link.Client.ReceiveAsync(default).AsTask().WaitAsync(Guard))!.Value).Reply;
        reply.Id.Should().Be(id);
        reply.Outcome.Error!.Code.Should().Be(RemoteErrorCodes.UnknownCommand);
    }

    [Fact]
    public async Task Server_RegistrationErrors_Throw()
    {
        using var server = new RemoteEditServer().Handle<PostMessage>(static (_, _, _) => Task.CompletedTask);

        server.Invoking(s => s.Handle<PostMessage>(static (_, _, _) => Task.CompletedTask)).Should().Throw<InvalidOperationException>();
        server.Invoking(s => s.GetLedger<RenameRoom>()).Should().Throw<InvalidOperationException>();
        await server.Invoking(s => s.ExecuteAsync(new EditRequest<RenameRoom>(EditId.New(), 1, new RenameRoom("x")), new RemoteEditConnection("c", null), default))
            .Should().ThrowAsync<InvalidOperationException>();
        server.GetLedger<PostMessage>().Should().BeOfType<InMemoryEditLedger<PostMessage>>();
        var badBound = () => new RemoteEditServer(new RemoteEditServerOptions { MaxConcurrentEditsPerConnection = 0 });
        badBound.Should().Throw<ArgumentOutOfRangeException>();
        RemoteEditServerOptions.Default.MaxConcurrentEditsPerConnection.Should().Be(1);
    }

    [Fact]
    public async Task CloseGracefully_WhileAnEditRuns_ItsAnswerAndTheQueuedMessagesGoOutBeforeTheEnd_AndALaterEditIsNotRun()
    {
        var release = NewGate();
        var started = new StartLog();
        using var server = new RemoteEditServer().Handle<PostMessage>(async (command, _, _) =>
        {
            started.Add(command.Text);
            await release.Task;
        });
        await using var link = Link.Start(server, Protocol);
        var running = EditId.New();
        await link.Client.SendAsync(Protocol.EncodeEdit(new EditRequest<PostMessage>(running, 1, new PostMessage("running"))), default);
        await started.WhenCount(1);

        link.Connection.TryPost(ChannelMessage.Text("queued before the close"));
        link.Connection.CloseGracefully("stopping");
        await link.Client.SendAsync(Protocol.EncodeEdit(new EditRequest<PostMessage>(EditId.New(), 1, new PostMessage("too late"))), default);
        release.TrySetResult();

        (await link.Client.ReceiveAsync(default).AsTask().WaitAsync(Guard))!.Value.GetText().Should().Be("queued before the close");
        Protocol.Decode((await link.Client.ReceiveAsync(default).AsTask().WaitAsync(Guard))!.Value).Reply.Id.Should().Be(running, "the running edit's answer is sent before the end");
        (await link.Client.ReceiveAsync(default).AsTask().WaitAsync(Guard)).Should().BeNull("then the end of the stream");
        link.Connection.TryPost(ChannelMessage.Text("after")).Should().BeFalse();
        link.Connection.Overflowed.Should().BeFalse("a post refused after a graceful close is not an overflow");
        await link.Client.CloseAsync(default);
        await link.Run.WaitAsync(Guard);
        started.Snapshot().Should().Equal(["running"], "an edit that arrives after the close began is not run: the client resends it");
        link.Connection.Closed.IsCancellationRequested.Should().BeTrue();
    }

    // What the driver keeps for a connection that only reads (most of a chat's connections): its loops waiting, and no
    // edit slots, which the first edit makes. Counted in bytes allocated on this thread, where the driver runs until both
    // loops wait; the least of five runs (Allocations.LeastOfFiveAsync), after one that warms up the code paths.
    [Fact]
    public async Task IdleConnection_DriverWaiting_AllocatesAtMost1450Bytes()
    {
        using var server = new RemoteEditServer().Handle<PostMessage>(static (_, _, _) => Task.CompletedTask);
        await IdleDriverAllocationAsync(server);

        var least = await Allocations.LeastOfFiveAsync(() => IdleDriverAllocationAsync(server));

        least.Should().BeLessThanOrEqualTo(1_450);
    }

    private static async Task<long> IdleDriverAllocationAsync(RemoteEditServer server)
    {
        var (client, channel) = InMemoryMessageChannel.CreatePair();
        var connection = new RemoteEditConnection("idle", null);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var run = server.RunAsync(connection, channel, Protocol, null, default);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        run.IsCompleted.Should().BeFalse("the connection is open and idle");
        connection.Close();
        await run.WaitAsync(Guard);
        await client.DisposeAsync();
        return allocated;
    }

    private static readonly EditWireProtocol Protocol = new EditWireProtocol().WithCommand(TestJson.Default.PostMessage);

    private static TaskCompletionSource NewGate() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Records the order handlers start in, and lets a test await a count of starts.
    private sealed class StartLog
    {
        private readonly List<string> _started = [];
        private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];

        public void Add(string text)
        {
            lock (_started)
            {
                _started.Add(text);
                foreach (var waiter in _waiters.Where(w => w.Count <= _started.Count).ToList())
                {
                    _waiters.Remove(waiter);
                    waiter.Done.TrySetResult();
                }
            }
        }

        public Task WhenCount(int count)
        {
            lock (_started)
            {
                if (_started.Count >= count)
                {
                    return Task.CompletedTask;
                }

                var done = NewGate();
                _waiters.Add((count, done));
                return done.Task.WaitAsync(Guard);
            }
        }

        public List<string> Snapshot()
        {
            lock (_started)
            {
                return [.. _started];
            }
        }
    }

    // A server connection over an in-memory pair; the test plays the client with the raw end.
    private sealed class Link : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;

        private Link(RemoteEditServer server, EditWireProtocol protocol)
        {
            (Client, var serverEnd) = InMemoryMessageChannel.CreatePair();
            Connection = new RemoteEditConnection("c1", null);
            _run = server.RunAsync(Connection, serverEnd, protocol, null, _stop.Token);
            Server = server;
        }

        public InMemoryMessageChannel Client { get; }

        public RemoteEditConnection Connection { get; }

        public Task Run => _run;

        public RemoteEditServer Server { get; }

        public static Link Start(RemoteEditServer server, EditWireProtocol protocol) => new(server, protocol);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _run.WaitAsync(Guard);
            _stop.Dispose();
        }
    }

    // A transport whose bounded outbox is always full; its receive waits until the driver stops it.
    private sealed class OverflowingChannel : IMessageChannel
    {
        public ValueTask SendAsync(ChannelMessage message, CancellationToken cancellationToken) =>
            ValueTask.FromException(new MessageChannelOverflowException());

        public async ValueTask<ChannelMessage?> ReceiveAsync(CancellationToken cancellationToken)
        {
            var stopped = new TaskCompletionSource<ChannelMessage?>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var registration = cancellationToken.Register(() => stopped.TrySetCanceled(cancellationToken));
            return await stopped.Task;
        }

        public ValueTask CloseAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
