using System.Diagnostics.CodeAnalysis;
using System.Reactive;

namespace Reactive.Edits.ChangeSets;

/// <summary>Implements <see cref="ChangeSetObservable.SortAndBind{TObject, TKey}(IObservable{IChangeSet{TObject, TKey}}, IList{TObject}, IComparer{TObject})"/>.</summary>
internal sealed class SortAndBindOperator<TObject, TKey>(
    IObservable<IChangeSet<TObject, TKey>> source,
    IList<TObject> target,
    IComparer<TObject> comparer) : ObservableBase<IChangeSet<TObject, TKey>>
    where TKey : notnull
{
    protected override IDisposable SubscribeCore(IObserver<IChangeSet<TObject, TKey>> observer)
    {
        // The subscription owns the list: it starts from empty so that positions match the sorted items.
        target.Clear();
        return source.SubscribeSafe(new Sink(observer, new SortedItems<TObject, TKey>(comparer, target)));
    }

    private sealed class Sink(IObserver<IChangeSet<TObject, TKey>> downstream, SortedItems<TObject, TKey> items)
        : OperatorSink<IChangeSet<TObject, TKey>, IChangeSet<TObject, TKey>>(downstream)
    {
        protected override bool TryProcess(IChangeSet<TObject, TKey> changes, [MaybeNullWhen(false)] out IChangeSet<TObject, TKey> result)
        {
            items.Apply(changes);
            result = changes;
            return true;
        }
    }
}
