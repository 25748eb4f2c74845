using System.Diagnostics.CodeAnalysis;
using System.Reactive;
using System.Runtime.InteropServices;

namespace Reactive.Edits.ChangeSets;

/// <summary>Implements <see cref="ChangeSetObservable.Transform{TSource, TDestination, TKey}(IObservable{IChangeSet{TSource, TKey}}, Func{TSource, TKey, TDestination})"/>.</summary>
internal sealed class TransformOperator<TSource, TDestination, TKey>(
    IObservable<IChangeSet<TSource, TKey>> source,
    Func<TSource, TKey, TDestination> selector) : ObservableBase<IChangeSet<TDestination, TKey>>
    where TKey : notnull
{
    protected override IDisposable SubscribeCore(IObserver<IChangeSet<TDestination, TKey>> observer) =>
        source.SubscribeSafe(new Sink(observer, selector));

    private sealed class Sink(IObserver<IChangeSet<TDestination, TKey>> downstream, Func<TSource, TKey, TDestination> selector)
        : OperatorSink<IChangeSet<TSource, TKey>, IChangeSet<TDestination, TKey>>(downstream)
    {
        // The transformed item of every key, so that an update can say what it replaces and a remove what it removes.
        private readonly Dictionary<TKey, TDestination> _transformed = [];

        protected override bool TryProcess(IChangeSet<TSource, TKey> changes, [MaybeNullWhen(false)] out IChangeSet<TDestination, TKey> result)
        {
            var output = new ChangeSet<TDestination, TKey>(changes.Count);
            foreach (var change in changes)
            {
                var key = change.Key;
                switch (change.Reason)
                {
                    case ChangeReason.Add:
                        {
                            var transformed = selector(change.Current, key);
                            _transformed[key] = transformed;
                            output.Add(new Change<TDestination, TKey>(ChangeReason.Add, key, transformed));
                            break;
                        }

                    case ChangeReason.Update:
                    case ChangeReason.Refresh:
                        {
                            var transformed = selector(change.Current, key);
                            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_transformed, key, out var existed);
                            var previous = slot;
                            slot = transformed;
                            output.Add(existed
                                ? new Change<TDestination, TKey>(ChangeReason.Update, key, transformed, previous!)
                                : new Change<TDestination, TKey>(ChangeReason.Add, key, transformed));
                            break;
                        }

                    case ChangeReason.Remove:
                        if (_transformed.Remove(key, out var removed))
                        {
                            output.Add(new Change<TDestination, TKey>(ChangeReason.Remove, key, removed));
                        }

                        break;
                }
            }

            result = output;
            return output.Count > 0;
        }
    }
}
