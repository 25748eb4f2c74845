using Reactive.Edits.ChangeSets;

namespace ChatServer.Tests.Support;

/// <summary>Mirrors a change-set stream into a dictionary, records every change, and lets a test await a condition
/// on it (checked on each change set; a timeout only guards against a hang).</summary>
public sealed class LiveCollection<TObject, TKey> : IDisposable
    where TKey : notnull
{
    private readonly object _gate = new();
    private readonly Dictionary<TKey, TObject> _items = [];
    private readonly List<Change<TObject, TKey>> _changes = [];
    private readonly List<(Func<IReadOnlyDictionary<TKey, TObject>, bool> Condition, TaskCompletionSource Done)> _waiters = [];
    private readonly IDisposable _subscription;

    public LiveCollection(IObservable<IChangeSet<TObject, TKey>> source) => _subscription = source.Subscribe(OnChanges);

    public IReadOnlyDictionary<TKey, TObject> Items
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<TKey, TObject>(_items);
            }
        }
    }

    public IReadOnlyList<Change<TObject, TKey>> Changes
    {
        get
        {
            lock (_gate)
            {
                return [.. _changes];
            }
        }
    }

    public Task WaitUntilAsync(Func<IReadOnlyDictionary<TKey, TObject>, bool> condition, TimeSpan? timeout = null)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (condition(_items))
            {
                return Task.CompletedTask;
            }
            _waiters.Add((condition, done));
        }
        return done.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
    }

    public void Dispose() => _subscription.Dispose();

    private void OnChanges(IChangeSet<TObject, TKey> changes)
    {
        lock (_gate)
        {
            foreach (var change in changes)
            {
                _changes.Add(change);
                if (change.Reason == ChangeReason.Remove)
                {
                    _items.Remove(change.Key);
                }
                else
                {
                    _items[change.Key] = change.Current;
                }
            }
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Condition(_items))
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
