using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Reactive.Edits.Remote.Tests;

/// <summary>The reconnecting client connection over in-memory channels, timed on a fake clock: nothing waits for real.</summary>
public sealed class RemoteEditClientConnectionTests : IAsyncDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new();
    private readonly EditWireProtocol _protocol = new EditWireProtocol().WithCommand(TestJson.Default.PostMessage).WithCommand("rename", TestJson.Default.RenameRoom);
    private readonly EditSet<PostMessage> _posts = new();
    private readonly RemoteEditClient<PostMessage> _postClient;
    private readonly RemoteEditServer _server = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _serverRuns = [];

    // Each call of the factory takes the next entry: a failure to throw, or null to connect to the real server.
    private readonly ConcurrentQueue<Exception?> _attempts = new();
    private readonly Channel<InMemoryMessageChannel> _serverEnds = Channel.CreateUnbounded<InMemoryMessageChannel>();
    private int _connects;

    public RemoteEditClientConnectionTests()
    {
        _postClient = new RemoteEditClient<PostMessage>(_posts, new RemoteEditOptions { AckTimeout = Timeout.InfiniteTimeSpan, TimeProvider = _time });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_serverRuns).WaitAsync(Guard);
        _postClient.Dispose();
        _posts.Dispose();
        _server.Dispose();
    }

    [Fact]
    public async Task FailedConnects_BackOffExponentiallyWithJitter_OnTheTimeProvider_ThenConnect()
    {
        _attempts.Enqueue(new IOException("refused 1"));
        _attempts.Enqueue(new IOException("refused 2"));
        await using var connection = Create(new RemoteEditClientConnectionOptions { InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(3), JitterFraction = 0.5, Random = new FixedRandom(0.5) });
        using var statuses = new StatusLog(connection);

        connection.Start();
        var first = await statuses.WaitForAsync(s => s.State == RemoteConnectionState.Disconnected);
        first.Failures.Should().Be(1);
        first.Error!.Message.Should().Be("refused 1");
        first.RetryDelay.Should().Be(TimeSpan.FromSeconds(0.75), "1 s shortened by 0.5 x 0.5");
        first.NextRetryAt.Should().Be(_time.GetUtcNow() + TimeSpan.FromSeconds(0.75));
        Volatile.Read(ref _connects).Should().Be(1);

        _time.Advance(TimeSpan.FromSeconds(0.75));
        var second = await statuses.WaitForAsync(s => s.State == RemoteConnectionState.Disconnected && s.Failures == 2);
        second.RetryDelay.Should().Be(TimeSpan.FromSeconds(1.5), "2 s shortened by 0.5 x 0.5");
        second.Error!.Message.Should().Be("refused 2");

        _time.Advance(TimeSpan.FromSeconds(1.5));
        var connected = await statuses.WaitForAsync(s => s.State == RemoteConnectionState.Connected);
        connected.Failures.Should().Be(0);
        statuses.States.Should().Equal(
            RemoteConnectionState.Connecting, RemoteConnectionState.Disconnected,
            RemoteConnectionState.Connecting, RemoteConnectionState.Disconnected,
            RemoteConnectionState.Connecting, RemoteConnectionState.Connected);
    }

    [Fact]
    public async Task Backoff_NeverExceedsMaxDelay()
    {
        for (var i = 0; i < 5; i++)
        {
            _attempts.Enqueue(new IOException("refused"));
        }

        await using var connection = Create(new RemoteEditClientConnectionOptions { InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(3), JitterFraction = 0 });
        using var statuses = new StatusLog(connection);
        connection.Start();

        var delays = new List<TimeSpan>();
        for (var failures = 1; failures <= 4; failures++)
        {
            var status = await statuses.WaitForAsync(s => s.State == RemoteConnectionState.Disconnected && s.Failures == failures);
            delays.Add(status.RetryDelay!.Value);
            _time.Advance(status.RetryDelay.Value);
        }

        delays.Should().Equal(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Drop_ThenReconnect_ResendsTheUnsettledEditWithItsIdAndItIsAcceptedOnce()
    {
        var runs = 0;
        _server.Handle<PostMessage>((_, _, _) =>
        {
            Interlocked.Increment(ref runs);
            return Task.CompletedTask;
        });
        await using var connection = Create(new RemoteEditClientConnectionOptions { JitterFraction = 0 }).Add(_postClient);
        using var statuses = new StatusLog(connection);
        var settled = Settled(_posts);

        // The first connection's server end reads the edit and then the network dies: no answer.
        _attempts.Enqueue(null);
        connection.Start();
        var firstEnd = await _serverEnds.Reader.ReadAsync().AsTask().WaitAsync(Guard);
        var edit = _posts.Request(new PostMessage("hello"));
        var first = await firstEnd.ReceiveAsync(default).AsTask().WaitAsync(Guard);
        _protocol.Decode(first!.Value).Request.Id.Should().Be(edit.Id);
        firstEnd.Drop();
        var down = await statuses.WaitForAsync(s => s.State == RemoteConnectionState.Disconnected);
        _posts.TryGetEdit(edit.Id, out var pending).Should().BeTrue();
        pending!.Status.Should().Be(EditStatus.Pending, "a lost connection leaves the outcome unknown, not rejected");

        // The second connection runs the real server: the edit is resent with its id and accepted.
        _attempts.Enqueue(null);
        ServeNextConnection();
        _time.Advance(down.RetryDelay!.Value);

        (await settled.WaitAsync(Guard)).Status.Should().Be(EditStatus.Accepted);
        runs.Should().Be(1);
    }

    [Fact]
    public async Task OneConnection_CarriesEditsOfSeveralCommandTypes_EachAnsweredToItsClient()
    {
        using var renames = new EditSet<RenameRoom>();
        using var renameClient = new RemoteEditClient<RenameRoom>(renames, new RemoteEditOptions { AckTimeout = Timeout.InfiniteTimeSpan });
        var seen = new ConcurrentQueue<object>();
        _server
            .Handle<PostMessage>((command, _, _) =>
            {
                seen.Enqueue(command);
                return Task.CompletedTask;
            })
            .Handle<RenameRoom>((command, _, _) =>
            {
                seen.Enqueue(command);
                return command.Name.Length == 0 ? throw new RemoteEditRejectedException("room.empty-name", "A name, please.") : Task.CompletedTask;
            });
        await using var connection = Create().Add(_postClient).Add(renameClient);
        var postSettled = Settled(_posts);
        var renameSettled = Settled(renames);
        _attempts.Enqueue(null);
        ServeNextConnection();

        _posts.Request(new PostMessage("hi"));
        renames.Request(new RenameRoom(string.Empty));
        connection.Start();

        (await postSettled.WaitAsync(Guard)).Status.Should().Be(EditStatus.Accepted);
        var rename = await renameSettled.WaitAsync(Guard);
        rename.Status.Should().Be(EditStatus.Rejected);
        rename.Error.Should().BeOfType<RemoteEditRejectedException>().Which.Code.Should().Be("room.empty-name");
        seen.Should().BeEquivalentTo(new object[] { new PostMessage("hi"), new RenameRoom(string.Empty) });
    }

    [Fact]
    public async Task ReconnectNow_WhileWaiting_SkipsTheBackoff()
    {
        _attempts.Enqueue(new IOException("refused"));
        await using var connection = Create(new RemoteEditClientConnectionOptions { InitialDelay = TimeSpan.FromMinutes(1), MaxDelay = TimeSpan.FromMinutes(1) });
        using var statuses = new StatusLog(connection);
        connection.Start();
        await statuses.WaitForAsync(s => s.State == RemoteConnectionState.Disconnected);

        connection.ReconnectNow();

        await statuses.WaitForAsync(s => s.State == RemoteConnectionState.Connected);
        Volatile.Read(ref _connects).Should().Be(2, "the clock never moved");
    }

    [Fact]
    public async Task ReconnectNow_WhileConnected_ClosesPolitelyAndConnectsAgainAtOnce()
    {
        _server.Handle<PostMessage>((_, _, _) => Task.CompletedTask);
        await using var connection = Create().Add(_postClient);
        using var statuses = new StatusLog(connection);
        _attempts.Enqueue(null);
        ServeNextConnection();
        connection.Start();
        await statuses.WaitForAsync(s => s.State == RemoteConnectionState.Connected);
        _attempts.Enqueue(null);
        ServeNextConnection();

        connection.ReconnectNow();

        await statuses.WaitForAsync(_ => Volatile.Read(ref _connects) == 2 && statuses.States.Count(s => s == RemoteConnectionState.Connected) == 2);
        statuses.States.Should().NotContain(RemoteConnectionState.Disconnected, "a requested reconnect has no backoff");
        var settled = Settled(_posts);
        _posts.Request(new PostMessage("on the new connection"));
        (await settled.WaitAsync(Guard)).Status.Should().Be(EditStatus.Accepted);
    }

    [Fact]
    public async Task OnMessage_ReceivesApplicationMessages_AndSendAsyncSendsThem()
    {
        var received = new TaskCompletionSource<WireMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var connection = Create(new RemoteEditClientConnectionOptions
        {
            OnMessage = (message, _) =>
            {
                received.TrySetResult(message);
                return ValueTask.CompletedTask;
            },
        });
        using var statuses = new StatusLog(connection);
        _attempts.Enqueue(null);
        connection.Start();
        var serverEnd = await _serverEnds.Reader.ReadAsync().AsTask().WaitAsync(Guard);
        await statuses.WaitForAsync(s => s.State == RemoteConnectionState.Connected);

        await serverEnd.SendAsync(_protocol.EncodeMessage("presence", new Presence(2), TestJson.Default.Presence), default);
        await connection.SendAsync(_protocol.EncodeMessage("typing", new Presence(1), TestJson.Default.Presence), default);

        var message = await received.Task.WaitAsync(Guard);
        message.Kind.Should().Be(WireMessageKind.Message);
        message.Type.Should().Be("presence");
        _protocol.Decode((await serverEnd.ReceiveAsync(default).AsTask().WaitAsync(Guard))!.Value).Type.Should().Be("typing");
    }

    [Fact]
    public async Task Dispose_PublishesStoppedThenCompletes_AndIsIdempotent()
    {
        var connection = Create();
        var statuses = new StatusLog(connection);
        _attempts.Enqueue(null);
        connection.Start();
        await statuses.WaitForAsync(s => s.State == RemoteConnectionState.Connected);

        await connection.DisposeAsync();
        await connection.DisposeAsync();

        statuses.States[^1].Should().Be(RemoteConnectionState.Stopped);
        statuses.Completed.Should().BeTrue();
        connection.Invoking(c => c.Start()).Should().Throw<ObjectDisposedException>();
        await connection.Invoking(c => c.SendAsync(ChannelMessage.Text("{}"), default).AsTask()).Should().ThrowAsync<InvalidOperationException>();
    }

    [Fact]
    public async Task Add_AfterStartOrOfAnUnknownType_Throws()
    {
        await using var connection = Create(new RemoteEditClientConnectionOptions());
        using var others = new EditSet<Presence>();
        using var otherClient = new RemoteEditClient<Presence>(others);

        connection.Invoking(c => c.Add(otherClient)).Should().Throw<ArgumentException>("the protocol carries no Presence commands");
        _attempts.Enqueue(new IOException("refused"));
        connection.Start();
        connection.Invoking(c => c.Add(_postClient)).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Options_OutOfRange_Throw()
    {
        static ValueTask<IMessageChannel> Connect(CancellationToken _) => throw new NotSupportedException();
        var protocol = new EditWireProtocol();

        var negative = () => new RemoteEditClientConnection(Connect, protocol, new RemoteEditClientConnectionOptions { InitialDelay = TimeSpan.FromSeconds(-1) });
        var maxBelowInitial = () => new RemoteEditClientConnection(Connect, protocol, new RemoteEditClientConnectionOptions { InitialDelay = TimeSpan.FromSeconds(2), MaxDelay = TimeSpan.FromSeconds(1) });
        var jitter = () => new RemoteEditClientConnection(Connect, protocol, new RemoteEditClientConnectionOptions { JitterFraction = 1.5 });
        var noClock = () => new RemoteEditClientConnection(Connect, protocol, new RemoteEditClientConnectionOptions { TimeProvider = null! });
        var noConnect = () => new RemoteEditClientConnection(null!, protocol);

        negative.Should().Throw<ArgumentOutOfRangeException>();
        maxBelowInitial.Should().Throw<ArgumentOutOfRangeException>();
        jitter.Should().Throw<ArgumentOutOfRangeException>();
        noClock.Should().Throw<ArgumentNullException>();
        noConnect.Should().Throw<ArgumentNullException>();
    }

    private static Task<Edit<T>> Settled<T>(EditSet<T> edits)
    {
        var settled = new TaskCompletionSource<Edit<T>>(TaskCreationOptions.RunContinuationsAsynchronously);
        edits.Events.Subscribe(e =>
        {
            if (e.Kind is EditEventKind.Accepted or EditEventKind.Rejected)
            {
                settled.TrySetResult(e.Edit);
            }
        });
        return settled.Task;
    }

    private RemoteEditClientConnection Create(RemoteEditClientConnectionOptions? options = null) =>
        new(ConnectAsync, _protocol, (options ?? new RemoteEditClientConnectionOptions()) is var o && o.TimeProvider == TimeProvider.System
            ? new RemoteEditClientConnectionOptions { InitialDelay = o.InitialDelay, MaxDelay = o.MaxDelay, JitterFraction = o.JitterFraction, Random = o.Random, OnMessage = o.OnMessage, TimeProvider = _time }
            : o);

    private ValueTask<IMessageChannel> ConnectAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _connects);
        if (_attempts.TryDequeue(out var failure) && failure is not null)
        {
            return ValueTask.FromException<IMessageChannel>(failure);
        }

        var (client, server) = InMemoryMessageChannel.CreatePair();
        _serverEnds.Writer.TryWrite(server);
        return ValueTask.FromResult<IMessageChannel>(client);
    }

    // Runs the real server on the next connection's server end.
    private void ServeNextConnection()
    {
        lock (_serverRuns)
        {
            _serverRuns.Add(Task.Run(async () =>
            {
                var end = await _serverEnds.Reader.ReadAsync(_stop.Token);
                await _server.RunAsync(new RemoteEditConnection("c", null), end, _protocol, null, _stop.Token);
            }));
        }
    }

    private sealed class FixedRandom(double value) : Random
    {
        public override double NextDouble() => value;
    }

    // Records the statuses and lets a test await one that matches.
    private sealed class StatusLog : IDisposable
    {
        private readonly object _gate = new();
        private readonly List<RemoteConnectionStatus> _statuses = [];
        private readonly List<(Func<RemoteConnectionStatus, bool> Predicate, TaskCompletionSource<RemoteConnectionStatus> Done)> _waiters = [];
        private readonly IDisposable _subscription;

        public StatusLog(RemoteEditClientConnection connection) =>
            _subscription = connection.Status.Subscribe(OnStatus, () => Completed = true);

        public bool Completed { get; private set; }

        public IReadOnlyList<RemoteConnectionState> States
        {
            get
            {
                lock (_gate)
                {
                    return [.. _statuses.Select(s => s.State)];
                }
            }
        }

        public Task<RemoteConnectionStatus> WaitForAsync(Func<RemoteConnectionStatus, bool> predicate)
        {
            var done = new TaskCompletionSource<RemoteConnectionStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                var found = _statuses.LastOrDefault(predicate);
                if (found is not null)
                {
                    return Task.FromResult(found);
                }

                _waiters.Add((predicate, done));
            }

            return done.Task.WaitAsync(Guard);
        }

        public void Dispose() => _subscription.Dispose();

        private void OnStatus(RemoteConnectionStatus status)
        {
            lock (_gate)
            {
                _statuses.Add(status);
                foreach (var waiter in _waiters.ToList())
                {
                    if (waiter.Predicate(status))
                    {
                        _waiters.Remove(waiter);
                        waiter.Done.TrySetResult(status);
                    }
                }
            }
        }
    }
}
