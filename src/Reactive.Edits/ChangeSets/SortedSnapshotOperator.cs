using System.Diagnostics.CodeAnalysis;
using System.Reactive;

namespace Reactive.Edits.ChangeSets;

/// <summary>Implements <see cref="ChangeSetObservable.ToSortedList{TObject, TKey}(IObservable{IChangeSet{TObject, TKey}}, IComparer{TObject})"/>.</summary>
internal sealed class SortedSnapshotOperator<TObject, TKey>(
    IObservable<IChangeSet<TObject, TKey>> source,
    IComparer<TObject> comparer) : ObservableBase<IReadOnlyList<TObject>>
    where TKey : notnull
{
    protected override IDisposable SubscribeCore(IObserver<IReadOnlyList<TObject>> observer) =>
        source.SubscribeSafe(new Sink(observer, new SortedItems<TObject, TKey>(comparer, target: null)));

    private sealed class Sink(IObserver<IReadOnlyList<TObject>> downstream, SortedItems<TObject, TKey> items)
        : OperatorSink<IChangeSet<TObject, TKey>, IReadOnlyList<TObject>>(downstream)
    {
        protected override bool TryProcess(IChangeSet<TObject, TKey> changes, [MaybeNullWhen(false)] out IReadOnlyList<TObject> result)
        {
            items.Apply(changes);
            result = items.Snapshot();
            return true;
        }
    }
}
