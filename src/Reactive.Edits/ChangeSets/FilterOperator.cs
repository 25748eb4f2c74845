using System.Diagnostics.CodeAnalysis;
using System.Reactive;

namespace Reactive.Edits.ChangeSets;

/// <summary>Implements <see cref="ChangeSetObservable.Filter{TObject, TKey}(IObservable{IChangeSet{TObject, TKey}}, Func{TObject, bool})"/>.</summary>
internal sealed class FilterOperator<TObject, TKey>(
    IObservable<IChangeSet<TObject, TKey>> source,
    Func<TObject, bool> predicate) : ObservableBase<IChangeSet<TObject, TKey>>
    where TKey : notnull
{
    protected override IDisposable SubscribeCore(IObserver<IChangeSet<TObject, TKey>> observer) =>
        source.SubscribeSafe(new Sink(observer, predicate));

    private sealed class Sink(IObserver<IChangeSet<TObject, TKey>> downstream, Func<TObject, bool> predicate)
        : OperatorSink<IChangeSet<TObject, TKey>, IChangeSet<TObject, TKey>>(downstream)
    {
        // The keys downstream holds: whether a key was included decides what a change becomes.
        private readonly HashSet<TKey> _included = [];

        protected override bool TryProcess(IChangeSet<TObject, TKey> changes, [MaybeNullWhen(false)] out IChangeSet<TObject, TKey> result)
        {
            ChangeSet<TObject, TKey>? output = null;
            foreach (var change in changes)
            {
                var key = change.Key;
                switch (change.Reason)
                {
                    case ChangeReason.Add:
                        if (predicate(change.Current))
                        {
                            _included.Add(key);
                            Emit(ref output, change);
                        }

                        break;

                    case ChangeReason.Update:
                    case ChangeReason.Refresh:
                        {
                            var now = predicate(change.Current);
                            var was = now ? !_included.Add(key) : _included.Remove(key);
                            if (was && now)
                            {
                                Emit(ref output, change);
                            }
                            else if (now)
                            {
                                Emit(ref output, new Change<TObject, TKey>(ChangeReason.Add, key, change.Current));
                            }
                            else if (was)
                            {
                                // Like an edit-set removal: Current is the item as it is now, Previous the item as it
                                // last passed (an update's previous item; a refreshed item is the same item).
                                Emit(ref output, change.HasPrevious
                                    ? new Change<TObject, TKey>(ChangeReason.Remove, key, change.Current, change.Previous!)
                                    : new Change<TObject, TKey>(ChangeReason.Remove, key, change.Current));
                            }

                            break;
                        }

                    case ChangeReason.Remove:
                        if (_included.Remove(key))
                        {
                            Emit(ref output, change);
                        }

                        break;
                }
            }

            result = output;
            return output is not null;
        }

        private static void Emit(ref ChangeSet<TObject, TKey>? output, in Change<TObject, TKey> change) =>
            (output ??= new ChangeSet<TObject, TKey>()).Add(change);
    }
}
