using System.Reactive.Subjects;

namespace Reactive.Edits.Benchmarks;

/// <summary>What an application writes without the library: a dictionary of pending edits, a task per attempt and a subject of notifications.</summary>
/// <remarks>
/// It does the same notification work as an edit set with one subscriber (one notification when an edit is added, one
/// when it settles, one when it is retried), thread-safely, and no more: no snapshots, no policy, no metrics.
/// The attempt's completion carries the outcome as a value (<see langword="null"/> for accepted) so that a rejection
/// costs no exception capture, which keeps the baseline as lean as a careful hand-written tracker. Ids come from
/// <see cref="Guid.NewGuid"/>, as in such a tracker, unless another source is given.
/// </remarks>
public sealed class PlainEdits<T>(Func<Guid>? newId = null) : IDisposable
{
    private readonly Func<Guid> _newId = newId ?? Guid.NewGuid;
    private readonly object _gate = new();
    private readonly Dictionary<Guid, PlainEdit<T>> _edits = [];
    private readonly Subject<PlainChange<T>> _changes = new();

    public IObservable<PlainChange<T>> Changes => _changes;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _edits.Count;
            }
        }
    }

    public PlainEdit<T> Request(T value)
    {
        var edit = new PlainEdit<T>(_newId(), value, new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_gate)
        {
            _edits.Add(edit.Id, edit);
            _changes.OnNext(new PlainChange<T>(PlainChangeKind.Added, edit));
        }

        return edit;
    }

    public bool Accept(PlainEdit<T> edit)
    {
        if (!edit.Completion.TrySetResult(null))
        {
            return false;
        }

        lock (_gate)
        {
            _edits.Remove(edit.Id);
            _changes.OnNext(new PlainChange<T>(PlainChangeKind.Accepted, edit));
        }

        return true;
    }

    public bool Reject(PlainEdit<T> edit, Exception error)
    {
        if (!edit.Completion.TrySetResult(error))
        {
            return false;
        }

        lock (_gate)
        {
            _changes.OnNext(new PlainChange<T>(PlainChangeKind.Rejected, edit));
        }

        return true;
    }

    public PlainEdit<T> Retry(PlainEdit<T> rejected)
    {
        var retried = new PlainEdit<T>(rejected.Id, rejected.Value, new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_gate)
        {
            _edits[retried.Id] = retried;
            _changes.OnNext(new PlainChange<T>(PlainChangeKind.Retried, retried));
        }

        return retried;
    }

    public void Dispose() => _changes.Dispose();
}

public sealed record PlainEdit<T>(Guid Id, T Value, TaskCompletionSource<Exception?> Completion);

public enum PlainChangeKind
{
    Added,
    Accepted,
    Rejected,
    Retried,
}

public readonly record struct PlainChange<T>(PlainChangeKind Kind, PlainEdit<T> Edit);
