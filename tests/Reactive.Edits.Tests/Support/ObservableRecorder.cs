namespace Reactive.Edits.Tests.Support;

/// <summary>Records what an observable emits and checks the Rx contract: no overlapping OnNext, nothing after a terminal event.</summary>
public sealed class ObservableRecorder<T> : IObserver<T>, IDisposable
{
    private readonly object _gate = new();
    private readonly List<T> _values = [];
    private readonly List<string> _violations = [];
    private readonly IDisposable _subscription;
    private int _active;
    private bool _terminated;

    public ObservableRecorder(IObservable<T> source)
    {
        _subscription = source.Subscribe(this);
    }

    public IReadOnlyList<T> Values
    {
        get
        {
            lock (_gate)
            {
                return [.. _values];
            }
        }
    }

    public T Last => Values[^1];

    public Exception? Error { get; private set; }

    public bool IsCompleted { get; private set; }

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

    public void OnNext(T value)
    {
        if (Interlocked.Increment(ref _active) != 1)
        {
            Violate("overlapping OnNext");
        }

        lock (_gate)
        {
            if (_terminated)
            {
                _violations.Add("OnNext after a terminal event");
            }

            _values.Add(value);
        }

        Interlocked.Decrement(ref _active);
    }

    public void OnError(Exception error)
    {
        Terminate("OnError");
        Error = error;
    }

    public void OnCompleted()
    {
        Terminate("OnCompleted");
        IsCompleted = true;
    }

    public void Dispose() => _subscription.Dispose();

    private void Terminate(string what)
    {
        lock (_gate)
        {
            if (_terminated)
            {
                _violations.Add($"{what} after a terminal event");
            }

            _terminated = true;
        }
    }

    private void Violate(string violation)
    {
        lock (_gate)
        {
            _violations.Add(violation);
        }
    }
}

public static class ObservableRecorderExtensions
{
    public static ObservableRecorder<T> Record<T>(this IObservable<T> source) => new(source);
}
