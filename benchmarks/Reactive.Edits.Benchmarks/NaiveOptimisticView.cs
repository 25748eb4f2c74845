using System.Reactive.Subjects;
using Reactive.Edits.ChangeSets;

namespace Reactive.Edits.Benchmarks;

/// <summary>The merge an application writes without the library: on every change of either input, rebuild the whole view list.</summary>
/// <remarks>
/// It keeps the authoritative items and the pending edits by key, and after each change set of either input publishes
/// the authoritative items with the pending edits applied on top, then the local creations. Its cost per change grows
/// with the size of the view.
/// </remarks>
public sealed class NaiveOptimisticView : IDisposable
{
    private readonly Dictionary<int, Row> _authoritative = [];
    private readonly Dictionary<EditId, Edit<RowEdit>> _pending = [];
    private readonly Dictionary<int, Edit<RowEdit>> _pendingByKey = [];
    private readonly Subject<IReadOnlyList<Row>> _view = new();
    private readonly IDisposable _subscriptions;

    public NaiveOptimisticView(IObservable<IChangeSet<Row, int>> authoritative, IObservable<IChangeSet<Edit<RowEdit>, EditId>> edits)
    {
        var a = authoritative.Subscribe(changes =>
        {
            foreach (var change in changes)
            {
                if (change.Reason == ChangeReason.Remove)
                {
                    _authoritative.Remove(change.Key);
                }
                else
                {
                    _authoritative[change.Key] = change.Current;
                }
            }

            Publish();
        });
        var e = edits.Subscribe(changes =>
        {
            foreach (var change in changes)
            {
                if (change.Reason == ChangeReason.Remove)
                {
                    _pending.Remove(change.Key);
                    _pendingByKey.Remove(change.Current.Value.Key);
                }
                else
                {
                    _pending[change.Key] = change.Current;
                    _pendingByKey[change.Current.Value.Key] = change.Current;
                }
            }

            Publish();
        });
        _subscriptions = new CompositeDisposable(a, e);
    }

    public IObservable<IReadOnlyList<Row>> View => _view;

    public void Dispose()
    {
        _subscriptions.Dispose();
        _view.Dispose();
    }

    private void Publish()
    {
        var merged = _authoritative.Values
            .Select(row => _pendingByKey.TryGetValue(row.Key, out var edit) ? row with { Text = edit.Value.Text } : row)
            .ToList();
        foreach (var edit in _pending.Values)
        {
            if (!_authoritative.ContainsKey(edit.Value.Key))
            {
                merged.Add(new Row(edit.Value.Key, edit.Value.Text, 0));
            }
        }

        _view.OnNext(merged);
    }

    private sealed class CompositeDisposable(params IDisposable[] disposables) : IDisposable
    {
        public void Dispose()
        {
            foreach (var disposable in disposables)
            {
                disposable.Dispose();
            }
        }
    }
}
