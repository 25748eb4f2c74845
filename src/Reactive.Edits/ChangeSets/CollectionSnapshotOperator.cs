using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Reactive;
using System.Runtime.InteropServices;

namespace Reactive.Edits.ChangeSets;

/// <summary>Implements <see cref="ChangeSetObservable.ToCollection{TObject, TKey}(IObservable{IChangeSet{TObject, TKey}})"/>.</summary>
internal sealed class CollectionSnapshotOperator<TObject, TKey>(IObservable<IChangeSet<TObject, TKey>> source)
    : ObservableBase<IReadOnlyCollection<TObject>>
    where TKey : notnull
{
    protected override IDisposable SubscribeCore(IObserver<IReadOnlyCollection<TObject>> observer) =>
        source.SubscribeSafe(new Sink(observer));

    private sealed class Sink(IObserver<IReadOnlyCollection<TObject>> downstream)
        : OperatorSink<IChangeSet<TObject, TKey>, IReadOnlyCollection<TObject>>(downstream)
    {
        private readonly Dictionary<TKey, TObject> _items = [];

        protected override bool TryProcess(IChangeSet<TObject, TKey> changes, [MaybeNullWhen(false)] out IReadOnlyCollection<TObject> result)
        {
            foreach (var change in changes)
            {
                if (change.Reason == ChangeReason.Remove)
                {
                    _items.Remove(change.Key);
                }
                else
                {
                    _items[change.Key] = change.Current;
                }
            }

            if (_items.Count == 0)
            {
                result = ImmutableArray<TObject>.Empty;
                return true;
            }

            var snapshot = new TObject[_items.Count];
            _items.Values.CopyTo(snapshot, 0);
            result = ImmutableCollectionsMarshal.AsImmutableArray(snapshot);
            return true;
        }
    }
}
