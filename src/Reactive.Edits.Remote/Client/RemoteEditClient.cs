using System.Diagnostics.CodeAnalysis;
using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using Reactive.Edits.ChangeSets;
using Reactive.Edits.Optimistic;

namespace Reactive.Edits.Remote;

/// <summary>Carries the started edits of an <see cref="EditSet{T}"/> to a server and settles their tokens from the server's answers, without doing any I/O itself.</summary>
/// <typeparam name="TCommand">The type of the edits' values, sent as commands.</typeparam>
/// <remarks>
/// <para>
/// The client is a sans-I/O core: a transport (a <see cref="IMessageChannel"/> through
/// <see cref="RemoteEditChannelExtensions"/>, or any other) subscribes to <see cref="Outgoing"/> and sends what it
/// emits, reports the connection with <see cref="OnConnected"/> and <see cref="OnDisconnected"/>, and feeds the
/// server's answers to <see cref="OnReply(EditReply)"/>. Everything else — queuing, resending, timeouts, giving up —
/// happens here, on the injected scheduler, so tests run in virtual time.
/// </para>
/// <list type="table">
/// <listheader><term>event</term><description>what the client does</description></listheader>
/// <item><term>an attempt starts (<see cref="EditSet{T}.Started"/>)</term><description>sends it if connected, otherwise queues it (<see cref="RemoteDeliveryState.Queued"/>)</description></item>
/// <item><term><see cref="OnConnected"/></term><description>sends every queued or unknown attempt, in request order, with its same id and attempt</description></item>
/// <item><term><see cref="OnDisconnected"/></term><description>every sent attempt becomes <see cref="RemoteDeliveryState.Unknown"/>; it stays pending, never rejected</description></item>
/// <item><term>ack timeout</term><description>the attempt becomes unknown and is resent at once if connected; not rejected</description></item>
/// <item><term>ack of the current attempt</term><description>accepts the token; the edit leaves the set</description></item>
/// <item><term>reject of the current attempt</term><description>rejects the token with a <see cref="RemoteEditRejectedException"/></description></item>
/// <item><term>reply for an earlier attempt, or a duplicate</term><description>nothing; <see cref="OnReply(EditReply)"/> returns <see langword="false"/></description></item>
/// <item><term><see cref="RemoteEditOptions.MaxSendAttempts"/> or <see cref="RemoteEditOptions.GiveUpAfter"/> reached</term><description>rejects the token with a <see cref="RemoteEditGaveUpException"/> (the outcome stays unknown; a retry keeps the id and is safe)</description></item>
/// <item><term>the token is spent elsewhere (cancel, supersede, another component)</term><description>tracking stops (<see cref="RemoteDeliveryState.Abandoned"/>)</description></item>
/// </list>
/// <para>
/// Thread safety: every member may be called from any thread. <see cref="Outgoing"/> and <see cref="Deliveries"/>
/// deliver serialized notifications, outside the client's lock, so an observer may call back into the client.
/// Tokens are spent after the client's state has been updated, outside its lock.
/// </para>
/// <example>
/// <code>
/// using var edits = new EditSet&lt;SendMessage&gt;();
/// using var client = new RemoteEditClient&lt;SendMessage&gt;(edits);
/// using var sending = client.Outgoing.Subscribe(request =&gt; transport.Send(request)); // the transport pulls: nothing is lost before it subscribes
/// client.OnConnected();
/// edits.Request(new SendMessage("hello"));   // sent at once, pending until the server answers
/// // when an answer arrives: client.OnReply(reply);  when the connection drops: client.OnDisconnected();
/// </code>
/// </example>
/// </remarks>
public sealed class RemoteEditClient<TCommand> : IDisposable
{
    private readonly EditSet<TCommand> _edits;
    private readonly RemoteEditOptions _options;
    private readonly IScheduler _scheduler;
    private readonly KeyedSource<RemoteDelivery, EditId> _deliveries = new(static delivery => delivery.Id);

    // Guarded by the gate of _deliveries: every step runs inside one of its mutations.
    private readonly Dictionary<EditId, Entry> _entries = [];
    private readonly HashSet<EditId> _maybeApplied = [];
    private List<(EditToken Token, Exception? Error)>? _settlements;
    private bool _connected;
    private int _subscribers;
    private bool _disposed;
    private int _disposeCalled;

    // The outgoing queue: filled under the gate (in request order), delivered by one thread at a time outside it.
    private readonly object _outboxGate = new();
    private readonly Queue<EditRequest<TCommand>> _outbox = new();
    private readonly Subject<EditRequest<TCommand>> _outgoing = new();
    private readonly SerialQueue<RemoteEditClient<TCommand>> _delivery = new(static client => client.DeliverQueued());

    private readonly IDisposable _startedSubscription;
    private readonly IDisposable _eventsSubscription;

    /// <summary>Attaches a client to <paramref name="edits"/> with the default options, timing on the set's scheduler.</summary>
    /// <param name="edits">The edit set whose started attempts the client sends.</param>
    /// <exception cref="ArgumentNullException"><paramref name="edits"/> is <see langword="null"/>.</exception>
    public RemoteEditClient(EditSet<TCommand> edits)
        : this(edits, RemoteEditOptions.Default)
    {
    }

    /// <summary>Attaches a client to <paramref name="edits"/>, timing on <see cref="RemoteEditOptions.TimeProvider"/> if set, else on the set's scheduler.</summary>
    /// <param name="edits">The edit set whose started attempts the client sends.</param>
    /// <param name="options">The timeout and give-up bounds, and the clock.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public RemoteEditClient(EditSet<TCommand> edits, RemoteEditOptions options)
        : this(edits, options, options?.TimeProvider is { } time ? TimeProviderScheduler.From(time) : edits?.Scheduler!)
    {
    }

    /// <summary>Attaches a client to <paramref name="edits"/>, timing on <paramref name="scheduler"/>.</summary>
    /// <param name="edits">The edit set whose started attempts the client sends.</param>
    /// <param name="options">The timeout and give-up bounds.</param>
    /// <param name="scheduler">The scheduler of ack timeouts and the give-up bound; a virtual-time scheduler in tests.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <remarks>Attempts already started when the client attaches are picked up (queued, since the client starts disconnected).</remarks>
    public RemoteEditClient(EditSet<TCommand> edits, RemoteEditOptions options, IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(edits);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(scheduler);
        options.Validate();
        _edits = edits;
        _options = options;
        _scheduler = scheduler;
        Deliveries = _deliveries.Connect();
        Outgoing = Observable.Create<EditRequest<TCommand>>(Subscribe);
        _eventsSubscription = edits.Events.Subscribe(OnEditEvent);
        _startedSubscription = edits.Started.Subscribe(OnStarted);
    }

    /// <summary>Gets the envelopes to send, while connected: each attempt when it starts, and every resend.</summary>
    /// <remarks>
    /// <para>The transport pulls: an attempt is sent (and marked <see cref="RemoteDeliveryState.Sent"/>) only while the
    /// client is connected <em>and</em> someone subscribes. Until then it stays <see cref="RemoteDeliveryState.Queued"/>
    /// (or <see cref="RemoteDeliveryState.Unknown"/>), and the first subscriber receives every such attempt, in request
    /// order, as it subscribes. So nothing raised before the transport is ready is lost, and a delivery never says
    /// "sent" for an envelope nobody took. An envelope emitted to a connection that then fails is not lost either:
    /// <see cref="OnDisconnected"/> marks it unknown and the next connection sends it again.</para>
    /// <list type="table">
    /// <listheader><term>event</term><description>what the subscriber sees</description></listheader>
    /// <item><term>subscribe while connected, no one else subscribed</term><description><c>OnNext</c> for every queued or unknown attempt, in request order</description></item>
    /// <item><term>send or resend</term><description><c>OnNext</c> with the edit's id, current attempt and command</description></item>
    /// <item><term>client disposed</term><description><c>OnCompleted</c> (at once for a subscription made after it)</description></item>
    /// </list>
    /// </remarks>
    public IObservable<EditRequest<TCommand>> Outgoing { get; }

    /// <summary>Gets the delivery state of every tracked attempt, as change sets keyed by edit id.</summary>
    /// <remarks>
    /// <list type="table">
    /// <listheader><term>step</term><description>change</description></listheader>
    /// <item><term>subscribe</term><description>one change set of adds with the tracked attempts (nothing when none)</description></item>
    /// <item><term>attempt starts</term><description><see cref="ChangeReason.Add"/>, <see cref="RemoteDeliveryState.Queued"/> or <see cref="RemoteDeliveryState.Sent"/></description></item>
    /// <item><term>send, resend, timeout, disconnect</term><description><see cref="ChangeReason.Update"/> with the new state and send count</description></item>
    /// <item><term>answer, give-up, cancel, token spent elsewhere</term><description><see cref="ChangeReason.Remove"/>; <c>Current</c> has the terminal state, <c>Previous</c> the last tracked one</description></item>
    /// <item><term>client disposed</term><description><c>OnCompleted</c></description></item>
    /// </list>
    /// </remarks>
    public IObservable<IChangeSet<RemoteDelivery, EditId>> Deliveries { get; }

    /// <summary>Gets a value indicating whether the transport has reported a connection (between <see cref="OnConnected"/> and <see cref="OnDisconnected"/>).</summary>
    public bool IsConnected => Volatile.Read(ref _connected);

    /// <summary>Looks up the delivery state of an edit's current attempt.</summary>
    /// <param name="id">The edit id.</param>
    /// <param name="delivery">The delivery, when the attempt is tracked.</param>
    /// <returns><see langword="true"/> if the attempt is tracked (queued, sent or unknown).</returns>
    public bool TryGetDelivery(EditId id, [MaybeNullWhen(false)] out RemoteDelivery delivery) => _deliveries.TryGetValue(id, out delivery);

    /// <summary>Reports that the transport is connected: every queued or unknown attempt is sent, in request order, with the same id and attempt.</summary>
    /// <remarks>Calling it again without <see cref="OnDisconnected"/> in between is taken as a new connection: every unanswered attempt is resent.
    /// Attempts are sent only while <see cref="Outgoing"/> has a subscriber; without one they wait for it.</remarks>
    /// <exception cref="ObjectDisposedException">The client is disposed.</exception>
    public void OnConnected()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        Step(this, static (client, updater, _) =>
        {
            client._connected = true;
            client.SendAll(updater, onlyUnsent: false);
            return true;
        });
    }

    /// <summary>Reports that the connection is lost: every sent attempt's outcome becomes unknown; it stays pending and is resent after the next <see cref="OnConnected"/>.</summary>
    public void OnDisconnected() =>
        Step(this, static (client, updater, _) =>
        {
            client._connected = false;
            foreach (var entry in client._entries.Values)
            {
                if (entry.Delivery.State == RemoteDeliveryState.Sent)
                {
                    entry.StopAckTimer();
                    client.Update(updater, entry, entry.Delivery.With(RemoteDeliveryState.Unknown));
                }
            }

            return true;
        });

    /// <summary>Applies a server's answer: spends the current attempt's token if the answer is for it.</summary>
    /// <param name="reply">The answer.</param>
    /// <returns><see langword="true"/> if the reply settled the current attempt; <see langword="false"/> if it was stale (an earlier attempt), a duplicate, or for an edit that is not tracked.</returns>
    public bool OnReply(EditReply reply) =>
        Step(reply, static (client, updater, reply) =>
        {
            if (!client._entries.TryGetValue(reply.Id, out var entry) || entry.Edit.Attempt != reply.Attempt)
            {
                return false;
            }

            var error = reply.Outcome.Error;
            client.Finish(updater, entry, error is null ? RemoteDeliveryState.Acknowledged : RemoteDeliveryState.Rejected);
            client.Settle(entry.Edit.Token, error?.ToException());
            return true;
        });

    /// <summary>Applies a server's acknowledgement of an attempt.</summary>
    /// <param name="id">The edit id.</param>
    /// <param name="attempt">The attempt acknowledged.</param>
    /// <returns><see langword="true"/> if it accepted the current attempt; <see langword="false"/> if stale, duplicate or unknown.</returns>
    public bool OnAcknowledged(EditId id, int attempt) => OnReply(new EditReply(id, attempt, EditOutcome.Accepted));

    /// <summary>Applies a server's rejection of an attempt.</summary>
    /// <param name="id">The edit id.</param>
    /// <param name="attempt">The attempt rejected.</param>
    /// <param name="error">Why the server rejected it.</param>
    /// <returns><see langword="true"/> if it rejected the current attempt; <see langword="false"/> if stale, duplicate or unknown.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is <see langword="null"/>.</exception>
    public bool OnRejected(EditId id, int attempt, RemoteError error) => OnReply(new EditReply(id, attempt, EditOutcome.Rejected(error)));

    /// <summary>Cancels a pending edit and says honestly whether the server can still apply it.</summary>
    /// <param name="id">The edit id.</param>
    /// <returns>
    /// <see cref="EditCancellation.BeforeStart"/> if no attempt of the edit can have reached the server (it was never
    /// sent, or every earlier attempt was definitely rejected): the edit is guaranteed to have no effect.
    /// <see cref="EditCancellation.AfterStart"/> if it was sent: tracking stops, but the server may still apply it, and
    /// then its authoritative result shows up like anyone else's. <see cref="EditCancellation.NotCancelled"/> if the
    /// edit is not pending or its token was spent first.
    /// </returns>
    /// <remarks>An edit waiting behind the set's policy, not yet started, is cancelled through the set and is <see cref="EditCancellation.BeforeStart"/>.</remarks>
    public EditCancellation Cancel(EditId id)
    {
        var tracked = Step(id, static (client, updater, id) =>
        {
            if (!client._entries.TryGetValue(id, out var entry))
            {
                return (Tracked: false, Unsent: false);
            }

            // A restored edit may have been sent by an earlier run: only an attempt of this run that never left can promise "no effect".
            var unsent = entry.Delivery.SendCount == 0 && !client._maybeApplied.Contains(id) && !entry.Edit.IsRestored;
            client.Finish(updater, entry, RemoteDeliveryState.Abandoned);
            return (Tracked: true, Unsent: unsent);
        });

        var result = _edits.Cancel(id);
        if (result == EditCancellation.NotCancelled || !tracked.Tracked)
        {
            return result;
        }

        return tracked.Unsent ? EditCancellation.BeforeStart : EditCancellation.AfterStart;
    }

    /// <summary>Stops the client: timers stop, <see cref="Outgoing"/> and <see cref="Deliveries"/> complete; the edits stay pending in their set.</summary>
    /// <remarks>Calling it again does nothing.</remarks>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposeCalled, 1) != 0)
        {
            return;
        }

        _startedSubscription.Dispose();
        _eventsSubscription.Dispose();
        Step(this, static (client, _, _) =>
        {
            client._disposed = true;
            client._connected = false;
            foreach (var entry in client._entries.Values)
            {
                entry.StopTimers();
            }

            client._entries.Clear();
            return true;
        });
        _deliveries.Dispose();
        lock (_outboxGate)
        {
            _outbox.Clear();
        }

        _outgoing.OnCompleted();
        _outgoing.Dispose();
    }

    // Runs one step under the gate, then delivers the envelopes it queued and spends the tokens it settled.
    private TResult Step<TArg, TResult>(TArg arg, Func<RemoteEditClient<TCommand>, KeyedSource<RemoteDelivery, EditId>.Updater, TArg, TResult> step)
    {
        if (!_deliveries.TryMutate(
                (Client: this, Arg: arg, Step: step),
                static (updater, state) =>
                {
                    var client = state.Client;
                    var result = state.Step(client, updater, state.Arg);
                    var settlements = client._settlements;
                    client._settlements = null;
                    return (Result: result, Settlements: settlements);
                },
                out var outcome))
        {
            return default!;
        }

        DrainOutgoing();
        if (outcome.Settlements is { } settlements)
        {
            foreach (var (token, error) in settlements)
            {
                _ = error is null ? token.Accept() : token.Reject(error);
            }
        }

        return outcome.Result;
    }

    private void OnStarted(Edit<TCommand> edit) =>
        Step(edit, static (client, updater, edit) =>
        {
            if (client._disposed || edit.Token.IsSpent)
            {
                return false;
            }

            if (client._entries.TryGetValue(edit.Id, out var stale))
            {
                client.Finish(updater, stale, RemoteDeliveryState.Abandoned);
            }

            var entry = new Entry(edit, new RemoteDelivery(edit.Id, edit.Attempt, RemoteDeliveryState.Queued, 0, null), client._scheduler.Now);
            client._entries.Add(edit.Id, entry);
            updater.AddOrUpdate(entry.Delivery);
            if (client._options.GiveUpAfter != Timeout.InfiniteTimeSpan)
            {
                entry.GiveUpTimer = client._scheduler.Schedule((Client: client, Entry: entry), client._options.GiveUpAfter, static (_, state) =>
                {
                    state.Client.Step(state.Entry, static (client, updater, entry) => client.GiveUpIfCurrent(updater, entry));
                    return System.Reactive.Disposables.Disposable.Empty;
                });
            }

            if (client.CanSend)
            {
                client.Send(updater, entry);
            }

            return true;
        });

    private void OnEditEvent(EditEvent<TCommand> edit)
    {
        if (edit.Kind is EditEventKind.Requested or EditEventKind.Restored or EditEventKind.Started or EditEventKind.Retried)
        {
            return;
        }

        Step(edit, static (client, updater, edit) =>
        {
            var id = edit.Edit.Id;
            if (client._entries.TryGetValue(id, out var entry) && entry.Edit.Token.IsSpent)
            {
                client.Finish(updater, entry, RemoteDeliveryState.Abandoned);
            }

            if (edit.Kind != EditEventKind.Rejected)
            {
                client._maybeApplied.Remove(id);
            }

            return true;
        });
    }

    private bool GiveUpIfCurrent(KeyedSource<RemoteDelivery, EditId>.Updater updater, Entry entry)
    {
        if (!IsCurrent(entry))
        {
            return false;
        }

        GiveUp(updater, entry);
        return true;
    }

    private bool OnAckTimeout(KeyedSource<RemoteDelivery, EditId>.Updater updater, Entry entry, long sendSerial)
    {
        if (!IsCurrent(entry) || entry.SendSerial != sendSerial || entry.Delivery.State != RemoteDeliveryState.Sent)
        {
            return false;
        }

        entry.AckTimer = null;
        Update(updater, entry, entry.Delivery.With(RemoteDeliveryState.Unknown));
        if (entry.Delivery.SendCount >= _options.MaxSendAttempts)
        {
            GiveUp(updater, entry);
        }
        else if (CanSend)
        {
            Send(updater, entry);
        }

        return true;
    }

    private bool IsCurrent(Entry entry) => _entries.TryGetValue(entry.Edit.Id, out var current) && ReferenceEquals(current, entry);

    private void Send(KeyedSource<RemoteDelivery, EditId>.Updater updater, Entry entry)
    {
        if (entry.Delivery.SendCount >= _options.MaxSendAttempts)
        {
            GiveUp(updater, entry);
            return;
        }

        entry.StopAckTimer();
        var serial = ++entry.SendSerial;
        Update(updater, entry, entry.Delivery.With(RemoteDeliveryState.Sent, entry.Delivery.SendCount + 1, _scheduler.Now));
        lock (_outboxGate)
        {
            _outbox.Enqueue(new EditRequest<TCommand>(entry.Edit.Id, entry.Edit.Attempt, entry.Edit.Value));
        }

        if (_options.AckTimeout != Timeout.InfiniteTimeSpan)
        {
            entry.AckTimer = _scheduler.Schedule((Client: this, Entry: entry, Serial: serial), _options.AckTimeout, static (_, state) =>
            {
                state.Client.Step(state, static (client, updater, state) => client.OnAckTimeout(updater, state.Entry, state.Serial));
                return System.Reactive.Disposables.Disposable.Empty;
            });
        }
    }

    private void GiveUp(KeyedSource<RemoteDelivery, EditId>.Updater updater, Entry entry)
    {
        Finish(updater, entry, RemoteDeliveryState.GaveUp);
        Settle(entry.Edit.Token, new RemoteEditGaveUpException(entry.Delivery.SendCount, _scheduler.Now - entry.StartedAt));
    }

    private void Update(KeyedSource<RemoteDelivery, EditId>.Updater updater, Entry entry, RemoteDelivery delivery)
    {
        entry.Delivery = delivery;
        updater.AddOrUpdate(delivery);
    }

    // Ends the tracking of an attempt; the caller spends its token (if it should) after the step.
    private void Finish(KeyedSource<RemoteDelivery, EditId>.Updater updater, Entry entry, RemoteDeliveryState state)
    {
        entry.StopTimers();
        _entries.Remove(entry.Edit.Id);
        updater.Remove(entry.Edit.Id, entry.Delivery.With(state));
        if (entry.Delivery.SendCount > 0 && state is RemoteDeliveryState.GaveUp or RemoteDeliveryState.Abandoned)
        {
            // A sent attempt without a definite answer may have been applied: a later attempt's cancel cannot promise "no effect".
            _maybeApplied.Add(entry.Edit.Id);
        }
    }

    private void Settle(EditToken token, Exception? error) => (_settlements ??= []).Add((token, error));

    private void DrainOutgoing()
    {
        lock (_outboxGate)
        {
            if (_outbox.Count == 0)
            {
                return;
            }
        }

        _delivery.Run(this);
    }

    // Runs on the serial queue, one caller at a time: delivers what the steps queued, in the order they queued it.
    private void DeliverQueued()
    {
        while (true)
        {
            EditRequest<TCommand> next;
            lock (_outboxGate)
            {
                if (!_outbox.TryDequeue(out next))
                {
                    return;
                }
            }

            _outgoing.OnNext(next);
        }
    }

    private IDisposable Subscribe(IObserver<EditRequest<TCommand>> observer)
    {
        if (Volatile.Read(ref _disposed))
        {
            observer.OnCompleted();
            return Disposable.Empty;
        }

        var subscription = _outgoing.Subscribe(observer);
        Step(this, static (client, updater, _) =>
        {
            if (client._disposed)
            {
                return false;
            }

            // The first subscriber takes what waited for one.
            if (++client._subscribers == 1 && client._connected)
            {
                client.SendAll(updater, onlyUnsent: true);
            }

            return true;
        });
        return Disposable.Create((Client: this, Subscription: subscription), static state =>
        {
            state.Client.Step(state.Client, static (client, _, _) =>
            {
                client._subscribers--;
                return true;
            });
            state.Subscription.Dispose();
        });
    }

    private bool CanSend => _connected && _subscribers > 0;

    // Sends the tracked attempts in request order: all of them, or only those not sent on the current connection.
    private void SendAll(KeyedSource<RemoteDelivery, EditId>.Updater updater, bool onlyUnsent)
    {
        if (!CanSend)
        {
            return;
        }

        var entries = new List<Entry>(_entries.Values);
        entries.Sort(static (a, b) => a.Edit.Sequence.CompareTo(b.Edit.Sequence));
        foreach (var entry in entries)
        {
            if (!onlyUnsent || entry.Delivery.State != RemoteDeliveryState.Sent)
            {
                Send(updater, entry);
            }
        }
    }

    private sealed class Entry(Edit<TCommand> edit, RemoteDelivery delivery, DateTimeOffset startedAt)
    {
        public Edit<TCommand> Edit { get; } = edit;

        public RemoteDelivery Delivery { get; set; } = delivery;

        public DateTimeOffset StartedAt { get; } = startedAt;

        // Increments with every send, so that the timer of an earlier send is recognized as stale.
        public long SendSerial { get; set; }

        public IDisposable? AckTimer { get; set; }

        public IDisposable? GiveUpTimer { get; set; }

        public void StopAckTimer()
        {
            AckTimer?.Dispose();
            AckTimer = null;
        }

        public void StopTimers()
        {
            StopAckTimer();
            GiveUpTimer?.Dispose();
            GiveUpTimer = null;
        }
    }
}
