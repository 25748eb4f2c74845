using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Subjects;
using Reactive.Edits.Remote;

namespace Reactive.Edits.Testing;

/// <summary>Plays a server for a <see cref="RemoteEditClient{TCommand}"/> in virtual time, scripted to delay, reorder, drop or duplicate acks and echoes.</summary>
/// <typeparam name="TCommand">The type of the edits' commands.</typeparam>
/// <remarks>
/// <para>It subscribes to the client's <see cref="RemoteEditClient{TCommand}.Outgoing"/> and behaves like a real
/// server with a ledger: the first delivery of an edit id applies it (once), a resend is answered with the first
/// outcome, and a later attempt after a rejection is applied again. For each delivery, <see cref="Script"/> decides
/// the timing: when the answer arrives (<see cref="ScriptedResponse.AckDelay"/>, or never), in how many copies, and
/// when the echo — the authoritative item, published on <see cref="Echoes"/> — arrives.</para>
/// <list type="table">
/// <listheader><term>event</term><description>what the scripted server does</description></listheader>
/// <item><term>first delivery of an id</term><description>applies it (<see cref="Applied"/>) with the script's outcome; schedules the answer and, if accepted, the echo</description></item>
/// <item><term>resend</term><description>schedules the first outcome's answer with the script's timing; no second effect, no second echo</description></item>
/// <item><term><see cref="Disconnect"/></term><description>the client is told; answers still in flight are lost</description></item>
/// <item><term><see cref="Connect"/></term><description>the client is told, and resends what is unanswered</description></item>
/// </list>
/// <para>Everything happens on the scheduler, so nothing arrives until the test advances its <see cref="TestClock"/>.
/// The server starts disconnected: call <see cref="Connect"/>.</para>
/// <example>
/// <code>
/// var clock = new TestClock();
/// using var edits = new EditSet&lt;string&gt;(EditSetOptions.Default, clock);
/// using var client = new RemoteEditClient&lt;string&gt;(edits, RemoteEditOptions.Default, clock);
/// using var server = new ScriptedEditServer&lt;string&gt;(client, clock)
/// {
///     Script = d =&gt; new ScriptedResponse { EchoDelay = TimeSpan.FromSeconds(1), AckDelay = TimeSpan.FromSeconds(2) },
/// };
/// server.Connect();
/// edits.Request("hi");
/// clock.AdvanceBy(TimeSpan.FromSeconds(2));   // echo at 1 s, ack at 2 s: the edit is accepted
/// </code>
/// </example>
/// </remarks>
public sealed class ScriptedEditServer<TCommand> : IDisposable
{
    private readonly object _gate = new();
    private readonly RemoteEditClient<TCommand> _client;
    private readonly IScheduler _scheduler;
    private readonly Subject<EditRequest<TCommand>> _echoes = new();
    private readonly Dictionary<EditId, Record> _ledger = [];
    private readonly List<EditRequest<TCommand>> _received = [];
    private readonly List<EditRequest<TCommand>> _applied = [];
    private readonly CompositeDisposable _pending = [];
    private readonly IDisposable _subscription;
    private long _connection;

    /// <summary>Attaches a scripted server to <paramref name="client"/>, timing on <paramref name="scheduler"/>.</summary>
    /// <param name="client">The client to serve.</param>
    /// <param name="scheduler">The scheduler of the scripted delays; normally a <see cref="TestClock"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public ScriptedEditServer(RemoteEditClient<TCommand> client, IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(scheduler);
        _client = client;
        _scheduler = scheduler;
        _subscription = client.Outgoing.Subscribe(Receive);
    }

    /// <summary>Gets or sets how each delivery is answered.</summary>
    /// <value>The default accepts every edit and acks and echoes with no delay (<see cref="ScriptedResponse.Accept"/>).</value>
    public Func<ScriptedDelivery<TCommand>, ScriptedResponse> Script { get; set; } = static _ => ScriptedResponse.Accept;

    /// <summary>Gets the authoritative items: each applied and accepted edit, once, when its echo is due.</summary>
    /// <remarks>A hot stream, notified on the scheduler; feed it to the authoritative collection of the test.</remarks>
    public IObservable<EditRequest<TCommand>> Echoes => _echoes;

    /// <summary>Gets every envelope received, resends included, in order.</summary>
    public IReadOnlyList<EditRequest<TCommand>> Received
    {
        get
        {
            lock (_gate)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>Gets the edits applied, once each (the effects), in order.</summary>
    public IReadOnlyList<EditRequest<TCommand>> Applied
    {
        get
        {
            lock (_gate)
            {
                return [.. _applied];
            }
        }
    }

    /// <summary>Tells the client it is connected; it then sends whatever is queued or unknown.</summary>
    public void Connect()
    {
        lock (_gate)
        {
            _connection++;
        }

        _client.OnConnected();
    }

    /// <summary>Drops the connection: answers still in flight are lost, and the client is told.</summary>
    public void Disconnect()
    {
        lock (_gate)
        {
            _connection++;
        }

        _client.OnDisconnected();
    }

    /// <summary>Stops serving: pending answers and echoes are cancelled and <see cref="Echoes"/> completes.</summary>
    public void Dispose()
    {
        _subscription.Dispose();
        _pending.Dispose();
        _echoes.OnCompleted();
        _echoes.Dispose();
    }

    private void Receive(EditRequest<TCommand> request)
    {
        ScriptedResponse response;
        EditOutcome outcome;
        long connection;
        var echo = false;
        lock (_gate)
        {
            _received.Add(request);
            connection = _connection;
            var count = 0;
            foreach (var received in _received)
            {
                count += received.Id == request.Id ? 1 : 0;
            }

            response = Script(new ScriptedDelivery<TCommand>(request, count, _scheduler.Now)) ?? ScriptedResponse.Accept;
            if (!_ledger.TryGetValue(request.Id, out var record) || (!record.Outcome.IsAccepted && request.Attempt > record.Attempt))
            {
                // First application of this id, or a retry after a rejection: the effect happens now, once.
                outcome = response.Rejection is { } rejection ? EditOutcome.Rejected(rejection) : EditOutcome.Accepted;
                _ledger[request.Id] = new Record(request.Attempt, outcome);
                if (outcome.IsAccepted)
                {
                    _applied.Add(request);
                    echo = response.EchoDelay is not null;
                }
            }
            else
            {
                outcome = record.Outcome;
            }
        }

        if (echo)
        {
            Schedule(response.EchoDelay!.Value, request, static (server, request) => server._echoes.OnNext(request));
        }

        if (response.AckDelay is { } ackDelay)
        {
            var reply = new EditReply(request.Id, request.Attempt, outcome);
            for (var copy = 0; copy < response.AckCopies; copy++)
            {
                Schedule(ackDelay, (Reply: reply, Connection: connection), static (server, state) =>
                {
                    bool connected;
                    lock (server._gate)
                    {
                        connected = server._connection == state.Connection;
                    }

                    if (connected)
                    {
                        server._client.OnReply(state.Reply);
                    }
                });
            }
        }
    }

    private void Schedule<TState>(TimeSpan delay, TState state, Action<ScriptedEditServer<TCommand>, TState> action)
    {
        var slot = new SingleAssignmentDisposable();
        _pending.Add(slot);
        slot.Disposable = _scheduler.Schedule((Server: this, State: state, Action: action, Slot: slot), delay, static (_, s) =>
        {
            s.Server._pending.Remove(s.Slot);
            s.Action(s.Server, s.State);
            return Disposable.Empty;
        });
    }

    private readonly record struct Record(int Attempt, EditOutcome Outcome);
}
