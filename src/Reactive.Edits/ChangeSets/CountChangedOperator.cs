using System.Diagnostics.CodeAnalysis;
using System.Reactive;

namespace Reactive.Edits.ChangeSets;

/// <summary>Implements <see cref="ChangeSetObservable.CountChanged{TObject, TKey}(IObservable{IChangeSet{TObject, TKey}})"/>.</summary>
internal sealed class CountChangedOperator<TObject, TKey>(IObservable<IChangeSet<TObject, TKey>> source) : ObservableBase<int>
    where TKey : notnull
{
    protected override IDisposable SubscribeCore(IObserver<int> observer) => source.SubscribeSafe(new Sink(observer));

    private sealed class Sink(IObserver<int> downstream) : OperatorSink<IChangeSet<TObject, TKey>, int>(downstream)
    {
        private int _count;
        private bool _emitted;

        protected override bool TryProcess(IChangeSet<TObject, TKey> changes, [MaybeNullWhen(false)] out int result)
        {
            // A well-formed stream adds only absent keys and removes only present ones, so the count follows from the
            // change set's tallies without looking at its changes.
            var count = _count + changes.Adds - changes.Removes;
            result = count;
            if (_emitted && count == _count)
            {
                return false;
            }

            _count = count;
            _emitted = true;
            return true;
        }
    }
}
