using Reactive.Edits.ChangeSets;

namespace Reactive.Edits.Tests.Concurrency;

// Records every change set and fails loudly if two OnNext calls ever run at once: the set promises serialized notifications.
internal sealed class OverlapDetectingRecorder<T> : IObserver<IChangeSet<Edit<T>, EditId>>
{
    private readonly List<Change<Edit<T>, EditId>> _changes = [];
    private int _inside;
    private int _overlaps;

    public int Overlaps => Volatile.Read(ref _overlaps);

    public IReadOnlyList<Change<Edit<T>, EditId>> Changes => _changes;

    public void OnNext(IChangeSet<Edit<T>, EditId> value)
    {
        if (Interlocked.Increment(ref _inside) != 1)
        {
            Interlocked.Increment(ref _overlaps);
        }

        // Yield inside the call so that a second, unserialized caller would very likely land here too.
        Thread.SpinWait(20);
        _changes.AddRange(value);
        Interlocked.Decrement(ref _inside);
    }

    public void OnError(Exception error) => throw new InvalidOperationException("The change-set stream failed.", error);

    public void OnCompleted()
    {
    }
}
