using System.Reactive.Linq;
using System.Reactive.Subjects;

namespace Reactive.Edits.Remote;

/// <summary>Keeps one or several <see cref="RemoteEditClient{TCommand}"/> connected to a server over channels it opens itself: connects, runs the connection, and reconnects with exponential backoff and jitter when it ends.</summary>
/// <remarks>
/// <para>One connection carries the clients of every command type added with <see cref="Add{TCommand}"/>: their edits
/// go out on the same channel, in the encoding of the <see cref="EditWireProtocol"/>, and each answer reaches the client
/// that tracks its edit id.</para>
/// <list type="table">
/// <listheader><term>event</term><description>what happens</description></listheader>
/// <item><term><see cref="Start"/></term><description><see cref="RemoteConnectionState.Connecting"/>: the channel factory is called</description></item>
/// <item><term>the factory returns a channel</term><description><see cref="RemoteConnectionState.Connected"/> (published before any message of the connection is handled); every client's queued and unknown edits are sent, in request order, with their ids</description></item>
/// <item><term>the factory throws, or the connection ends (closed, failed, an exception from <see cref="RemoteEditClientConnectionOptions.OnMessage"/>)</term><description>sent edits become unknown and stay pending; <see cref="RemoteConnectionState.Disconnected"/> with the error, the failure count and <see cref="RemoteConnectionStatus.NextRetryAt"/>; after the backoff, <see cref="RemoteConnectionState.Connecting"/> again</description></item>
/// <item><term><see cref="ReconnectNow"/></term><description>while waiting: the wait ends and a new attempt starts at once; while connected: the channel is closed politely and a new one opened at once, without backoff; while connecting: the new channel is closed and another opened at once</description></item>
/// <item><term><see cref="DisposeAsync"/></term><description>the connection ends, <see cref="RemoteConnectionState.Stopped"/>, then <see cref="Status"/> completes; the clients are not disposed</description></item>
/// </list>
/// <para>Timing: the backoff (<see cref="RemoteEditClientConnectionOptions"/>) runs on its <see cref="TimeProvider"/>, so tests
/// use a <c>FakeTimeProvider</c> and never wait for real.</para>
/// <para>Thread safety: every member may be called from any thread. <see cref="Status"/> notifies on the connection's
/// loop, one notification at a time.</para>
/// <example>
/// <code>
/// var protocol = new EditWireProtocol().WithCommand(ChatJson.Default.SendMessage).WithCommand("rename", ChatJson.Default.RenameRoom);
/// await using var connection = new RemoteEditClientConnection(
///         async ct =&gt;
///         {
///             var socket = new ClientWebSocket();
///             await socket.ConnectAsync(uri, ct);
///             return new WebSocketMessageChannel(socket);
///         },
///         protocol,
///         new RemoteEditClientConnectionOptions { OnMessage = OnMessageAsync })
///     .Add(sends)      // a RemoteEditClient&lt;SendMessage&gt;
///     .Add(renames);   // a RemoteEditClient&lt;RenameRoom&gt;
/// using var indicator = connection.Status.Subscribe(status =&gt; Show(status));
/// connection.Start();
/// </code>
/// </example>
/// </remarks>
public sealed class RemoteEditClientConnection : IAsyncDisposable
{
    private readonly Func<CancellationToken, ValueTask<IMessageChannel>> _connect;
    private readonly EditWireProtocol _protocol;
    private readonly RemoteEditClientConnectionOptions _options;
    private readonly BehaviorSubject<RemoteConnectionStatus> _status = new(new RemoteConnectionStatus(RemoteConnectionState.Connecting, 0, null, null, null));
    private readonly CancellationTokenSource _stop = new();

    // Guarded by the gate.
    private readonly object _gate = new();
    private readonly List<ClientBinding> _clients = [];
    private Task? _run;
    private IMessageChannel? _channel;
    private CancellationTokenSource? _current;
    private CancellationTokenSource? _wait;
    private bool _reconnectRequested;
    private int _disposed;

    /// <summary>Initializes a connection with the default options; add clients, then <see cref="Start"/>.</summary>
    /// <param name="connect">Opens a channel to the server, e.g. connects a <c>ClientWebSocket</c> and wraps it in a <see cref="WebSocketMessageChannel"/>; it may throw to report a failed attempt.</param>
    /// <param name="protocol">The wire protocol; it must carry the command types of the clients added.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public RemoteEditClientConnection(Func<CancellationToken, ValueTask<IMessageChannel>> connect, EditWireProtocol protocol)
        : this(connect, protocol, RemoteEditClientConnectionOptions.Default)
    {
    }

    /// <summary>Initializes a connection; add clients, then <see cref="Start"/>.</summary>
    /// <param name="connect">Opens a channel to the server, e.g. connects a <c>ClientWebSocket</c> and wraps it in a <see cref="WebSocketMessageChannel"/>; it may throw to report a failed attempt.</param>
    /// <param name="protocol">The wire protocol; it must carry the command types of the clients added.</param>
    /// <param name="options">The backoff, jitter, clock and application-message callback.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public RemoteEditClientConnection(Func<CancellationToken, ValueTask<IMessageChannel>> connect, EditWireProtocol protocol, RemoteEditClientConnectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(connect);
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _connect = connect;
        _protocol = protocol;
        _options = options;
    }

    /// <summary>Gets the connection's state, starting with the current one.</summary>
    /// <remarks>
    /// <list type="table">
    /// <listheader><term>event</term><description>notification</description></listheader>
    /// <item><term>subscribe</term><description>the current status (<see cref="RemoteConnectionState.Connecting"/> before <see cref="Start"/>)</description></item>
    /// <item><term>each change of state</term><description>the new status; <see cref="RemoteConnectionState.Connected"/> comes before the connection's first message is handled</description></item>
    /// <item><term>dispose</term><description><see cref="RemoteConnectionState.Stopped"/>, then <c>OnCompleted</c></description></item>
    /// </list>
    /// </remarks>
    public IObservable<RemoteConnectionStatus> Status => _status.DistinctUntilChanged();

    /// <summary>Gets the current status.</summary>
    public RemoteConnectionStatus CurrentStatus => _status.Value;

    /// <summary>Adds a client whose edits this connection carries.</summary>
    /// <typeparam name="TCommand">The client's command type; the protocol must carry it.</typeparam>
    /// <param name="client">The client.</param>
    /// <returns>This connection, to chain calls.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The protocol has no command kind for <typeparamref name="TCommand"/>.</exception>
    /// <exception cref="InvalidOperationException">The connection was started already.</exception>
    public RemoteEditClientConnection Add<TCommand>(RemoteEditClient<TCommand> client)
    {
        var binding = ClientBinding.For(client, _protocol);
        lock (_gate)
        {
            if (_run is not null)
            {
                throw new InvalidOperationException("Add the clients before starting the connection.");
            }

            _clients.Add(binding);
        }

        return this;
    }

    /// <summary>Starts connecting, and reconnecting with backoff, until disposed; calling it again does nothing.</summary>
    /// <exception cref="ObjectDisposedException">The connection is disposed.</exception>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_gate)
        {
            _run ??= Task.Run(RunAsync);
        }
    }

    /// <summary>Connects again at once: skips the backoff while waiting, or closes the current channel politely and opens a new one (e.g. after logging in or out, since a connection's identity is fixed when it opens).</summary>
    /// <remarks>Pending edits are resent on the new connection with their ids. Does nothing before <see cref="Start"/> or after dispose.</remarks>
    public void ReconnectNow()
    {
        CancellationTokenSource? wait;
        IMessageChannel? channel;
        CancellationTokenSource? current;
        lock (_gate)
        {
            if (_run is null || Volatile.Read(ref _disposed) != 0)
            {
                return;
            }

            _reconnectRequested = true;
            wait = _wait;
            channel = _channel;
            current = _current;
        }

        if (wait is not null)
        {
            Cancel(wait);
        }
        else if (channel is not null && current is not null)
        {
            _ = CloseForReconnectAsync(channel, current);
        }
    }

    /// <summary>Sends an application message on the current connection, e.g. one encoded with <see cref="EditWireProtocol.EncodeMessage{T}"/>.</summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the channel took the message.</returns>
    /// <exception cref="InvalidOperationException">Not connected.</exception>
    public ValueTask SendAsync(ChannelMessage message, CancellationToken cancellationToken)
    {
        IMessageChannel? channel;
        lock (_gate)
        {
            channel = _channel;
        }

        return channel is null
            ? ValueTask.FromException(new InvalidOperationException("Not connected."))
            : channel.SendAsync(message, cancellationToken);
    }

    /// <summary>Ends the connection and stops reconnecting; the clients are not disposed, their pending edits stay pending.</summary>
    /// <returns>A task that completes when the connection has ended and <see cref="Status"/> has completed.</returns>
    /// <remarks>Calling it again does nothing.</remarks>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Task? run;
        lock (_gate)
        {
            run = _run;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (run is not null)
        {
            await run.ConfigureAwait(false);
        }

        _status.OnNext(_status.Value with { State = RemoteConnectionState.Stopped, NextRetryAt = null, RetryDelay = null });
        _status.OnCompleted();
        _status.Dispose();
        _stop.Dispose();
    }

    private static void Cancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The wait or the connection ended meanwhile.
        }
    }

    // A polite close lets the server end its side at once; ending the connection's token is the fallback.
    private static async Task CloseForReconnectAsync(IMessageChannel channel, CancellationTokenSource current)
    {
        try
        {
            await channel.CloseAsync(CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The channel may already have failed in any way; the connection ends either way.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            Cancel(current);
        }
    }

    private bool TakeReconnectRequest()
    {
        lock (_gate)
        {
            var requested = _reconnectRequested;
            _reconnectRequested = false;
            return requested;
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var factor = Math.Pow(2, Math.Min(failures - 1, 30));
        var ticks = Math.Min(_options.InitialDelay.Ticks * factor, _options.MaxDelay.Ticks);
        var random = _options.Random ?? Random.Shared;
        double jitter;
        lock (random)
        {
            jitter = random.NextDouble();
        }

        return TimeSpan.FromTicks((long)(ticks * (1 - (_options.JitterFraction * jitter))));
    }

    private async Task RunAsync()
    {
        var stop = _stop.Token;
        var time = _options.TimeProvider;
        ClientBinding[] clients;
        lock (_gate)
        {
            clients = [.. _clients];
        }

        var failures = 0;
        Exception? lastError = null;
        while (!stop.IsCancellationRequested)
        {
            _status.OnNext(new RemoteConnectionStatus(RemoteConnectionState.Connecting, failures, lastError, null, null));
            using var current = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
            using var stopping = stop.UnsafeRegister(static state => Cancel((CancellationTokenSource)state!), current);
            TakeReconnectRequest();
            IMessageChannel? channel = null;
            Exception? error = null;
            try
            {
                channel = await _connect(current.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (current.IsCancellationRequested)
            {
            }
#pragma warning disable CA1031 // Any failure to connect is reported in the status and retried.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                error = ex;
            }

            if (channel is not null)
            {
                if (TakeReconnectRequest())
                {
                    // Asked to reconnect while this channel was opening: it may carry the old identity.
                    await ClientChannelDriver.CloseAsync(channel).ConfigureAwait(false);
                    continue;
                }

                failures = 0;
                lastError = null;
                lock (_gate)
                {
                    _channel = channel;
                    _current = current;
                }

                _status.OnNext(new RemoteConnectionStatus(RemoteConnectionState.Connected, 0, null, null, null));
                try
                {
                    error = await ClientChannelDriver.RunAsync(clients, channel, _protocol, _options.OnMessage, current.Token).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // An exception of the application's message callback ends this connection; it is reported and the connection retried.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    error = ex;
                }
                finally
                {
                    lock (_gate)
                    {
                        _channel = null;
                        _current = null;
                    }
                }
            }

            if (stop.IsCancellationRequested)
            {
                break;
            }

            if (TakeReconnectRequest())
            {
                continue;
            }

            failures++;
            lastError = error;
            var delay = Backoff(failures);
            using var wait = new CancellationTokenSource();
            using var stoppingWait = stop.UnsafeRegister(static state => Cancel((CancellationTokenSource)state!), wait);
            bool requested;
            lock (_gate)
            {
                _wait = wait;
                requested = _reconnectRequested;
            }

            // The timer starts before the status is told, so that whoever reacts to the status (a test advancing a
            // fake clock) finds it running. A request that came before the wait was published skips it.
            var waiting = requested ? Task.CompletedTask : Task.Delay(delay, time, wait.Token);
            _status.OnNext(new RemoteConnectionStatus(RemoteConnectionState.Disconnected, failures, error, time.GetUtcNow() + delay, delay));
            try
            {
                await waiting.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped, or asked to reconnect now.
            }
            finally
            {
                lock (_gate)
                {
                    _wait = null;
                }
            }
        }
    }
}
