using System.Reactive.Concurrency;

namespace Reactive.Edits.Testing;

/// <summary>Records the lifecycle events of an <see cref="EditSet{T}"/> with their virtual time, and checks the Rx contract while it does.</summary>
/// <typeparam name="T">The type of the requested values.</typeparam>
/// <remarks>
/// <para>It subscribes to <see cref="EditSet{T}.Events"/> when created and stops when disposed. Each event is stamped
/// with the scheduler's <see cref="IScheduler.Now"/> at the moment it was observed. Reading is safe from any thread.</para>
/// <para>Overlapping notifications (a second <c>OnNext</c> while one runs) and notifications after completion are
/// recorded in <see cref="Violations"/> instead of being silently accepted, so a test can assert there are none.</para>
/// <example>
/// <code>
/// var clock = new TestClock();
/// using var edits = new EditSet&lt;string&gt;(EditSetOptions.Default, clock);
/// using var recorder = new EditRecorder&lt;string&gt;(edits, clock);
/// var (token, _) = edits.Request("hi");
/// clock.AdvanceBy(TimeSpan.FromSeconds(1));
/// token.Accept();
/// // recorder.Kinds: Requested, Started, Accepted; recorder.Events[2].Time - recorder.Events[0].Time == 1 s
/// </code>
/// </example>
/// </remarks>
public sealed class EditRecorder<T> : IDisposable
{
    private readonly object _gate = new();
    private readonly List<RecordedEditEvent<T>> _events = [];
    private readonly List<string> _violations = [];
    private readonly IScheduler _clock;
    private readonly IDisposable _subscription;
    private int _active;
    private bool _completed;

    /// <summary>Starts recording the events of <paramref name="edits"/>, stamped with <paramref name="clock"/>.</summary>
    /// <param name="edits">The edit set to record.</param>
    /// <param name="clock">The clock that stamps the events; normally the set's own scheduler.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public EditRecorder(EditSet<T> edits, IScheduler clock)
    {
        ArgumentNullException.ThrowIfNull(edits);
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
        _subscription = edits.Events.Subscribe(OnNext, OnError, OnCompleted);
    }

    /// <summary>Starts recording the events of <paramref name="edits"/>, stamped with the set's own scheduler.</summary>
    /// <param name="edits">The edit set to record.</param>
    /// <exception cref="ArgumentNullException"><paramref name="edits"/> is <see langword="null"/>.</exception>
    public EditRecorder(EditSet<T> edits)
        : this(edits, edits?.Scheduler!)
    {
    }

    /// <summary>Gets a copy of the events recorded so far, in order.</summary>
    public IReadOnlyList<RecordedEditEvent<T>> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Gets the kinds of the events recorded so far, in order.</summary>
    public IReadOnlyList<EditEventKind> Kinds
    {
        get
        {
            lock (_gate)
            {
                return _events.ConvertAll(static e => e.Event.Kind);
            }
        }
    }

    /// <summary>Gets the breaches of the Rx contract seen so far; empty when the stream behaved.</summary>
    public IReadOnlyList<string> Violations
    {
        get
        {
            lock (_gate)
            {
                return [.. _violations];
            }
        }
    }

    /// <summary>Gets a value indicating whether the stream has completed (the edit set was disposed).</summary>
    public bool IsCompleted
    {
        get
        {
            lock (_gate)
            {
                return _completed;
            }
        }
    }

    /// <summary>Returns the recorded events of one edit, in order.</summary>
    /// <param name="id">The edit id.</param>
    /// <returns>The kinds of that edit's events.</returns>
    public IReadOnlyList<EditEventKind> KindsOf(EditId id)
    {
        lock (_gate)
        {
            return _events.FindAll(e => e.Event.Edit.Id == id).ConvertAll(static e => e.Event.Kind);
        }
    }

    /// <summary>Stops recording.</summary>
    public void Dispose() => _subscription.Dispose();

    private void OnNext(EditEvent<T> value)
    {
        if (Interlocked.Increment(ref _active) != 1)
        {
            AddViolation($"Overlapping OnNext with {value.Kind} of {value.Edit.Id}.");
        }

        lock (_gate)
        {
            if (_completed)
            {
                _violations.Add($"OnNext after completion: {value.Kind} of {value.Edit.Id}.");
            }

            _events.Add(new RecordedEditEvent<T>(_clock.Now, value));
        }

        Interlocked.Decrement(ref _active);
    }

    private void OnError(Exception error) => AddViolation($"OnError: {error}");

    private void OnCompleted()
    {
        lock (_gate)
        {
            if (_completed)
            {
                _violations.Add("OnCompleted twice.");
            }

            _completed = true;
        }
    }

    private void AddViolation(string violation)
    {
        lock (_gate)
        {
            _violations.Add(violation);
        }
    }
}
