using System.Reactive.Concurrency;
using System.Reactive.Linq;
using Reactive.Edits.ChangeSets;

namespace Reactive.Edits.Optimistic;

/// <summary>Merges authoritative state with pending edits into the optimistic view the user sees.</summary>
/// <remarks>
/// <para>For each key, the view shows the authoritative item with the key's pending and failed edits applied on top, in
/// request order, through <see cref="OptimisticOptions{TItem, TKey, TEdit}.Predict"/>. An edit applies at most once:
/// one that the authoritative item already includes (<see cref="OptimisticOptions{TItem, TKey, TEdit}.Includes"/>) is
/// not applied on top of it, and the key shows the authoritative item, still marked with the edit's state.</para>
/// <list type="table">
/// <listheader><term>input</term><description>output</description></listheader>
/// <item><term>authoritative Add/Update/Refresh/Remove</term><description>the key is recomputed: the edits the new item does not include are rebased on it (never rolled back), those it includes are not applied again, and accepted edits it includes leave; the change shows as Add, Update or Remove of that key</description></item>
/// <item><term>edit requested or retried</term><description>its prediction appears (Add) or changes the key's item (Update), state <see cref="OptimisticState.Pending"/></description></item>
/// <item><term>edit rejected</term><description>Update of the key: state <see cref="OptimisticState.Failed"/> with the error; the value is kept</description></item>
/// <item><term>edit accepted</term><description>once the authoritative item containing it is visible — before or after the acceptance, whichever is later — the prediction is replaced <b>in place</b>: one Update of the same key, never Remove + Add (if the item was already shown, only its state changes to <see cref="OptimisticState.Confirmed"/>); if that item never arrives, the prediction is dropped after <see cref="OptimisticOptions{TItem, TKey, TEdit}.SettleTimeout"/></description></item>
/// <item><term>edit cancelled, superseded or discarded</term><description>its prediction leaves: Update back to the authoritative item, or Remove of a local creation</description></item>
/// <item><term>any input that leaves the key's item as it was</term><description>nothing: no Update has a <c>Current</c> equal to its <c>Previous</c> by <see cref="OptimisticItem{TItem, TKey}.Equals(OptimisticItem{TItem, TKey})"/>, which compares items with <see cref="EqualityComparer{T}.Default"/> (e.g. an acknowledgement before the authoritative item, a waiting edit that starts, an authoritative item equal to the one shown)</description></item>
/// <item><term>error of either input, or a throwing delegate</term><description><c>OnError</c>; timers are disposed</description></item>
/// <item><term>completion</term><description><c>OnCompleted</c> when both inputs have completed</description></item>
/// <item><term>dispose</term><description>both inputs are unsubscribed and pending settle timers disposed</description></item>
/// </list>
/// <para>A key is never shown twice and each change set names only the keys its input touched: the cost of one change
/// does not grow with the size of the view.</para>
/// <para>Memory: fed by <see cref="KeyedSource{TObject, TKey}.Connect()"/> itself, the merge reads the authoritative items
/// from the source's table, as of the change sets it has applied, and keeps state only for keys with edits. Fed by any
/// other change-set stream, it keeps a copy of every authoritative item, the base of any later prediction. A merge that is
/// the source's only subscriber is handed the same change-set object again once it has applied it; a change set that
/// reaches any other subscriber is never filled again.</para>
/// </remarks>
public static class OptimisticObservable
{
    /// <summary>Merges <paramref name="authoritative"/> with the edits of <paramref name="edits"/>, timing settles on the edit set's scheduler.</summary>
    /// <typeparam name="TItem">The type of the items.</typeparam>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <typeparam name="TEdit">The type of the edits' values.</typeparam>
    /// <param name="authoritative">What the server says, as change sets.</param>
    /// <param name="edits">The edit set whose pending and failed edits are predicted.</param>
    /// <param name="options">How edits project onto items.</param>
    /// <returns>The optimistic view as change sets.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IObservable<IChangeSet<OptimisticItem<TItem, TKey>, TKey>> MergeOptimistic<TItem, TKey, TEdit>(
        this IObservable<IChangeSet<TItem, TKey>> authoritative,
        EditSet<TEdit> edits,
        OptimisticOptions<TItem, TKey, TEdit> options)
        where TItem : class
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(edits);
        return MergeOptimistic(authoritative, edits.Connect(), options, edits.Scheduler);
    }

    /// <summary>Merges <paramref name="authoritative"/> with a stream of edit change sets, timing settles on the default scheduler.</summary>
    /// <typeparam name="TItem">The type of the items.</typeparam>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <typeparam name="TEdit">The type of the edits' values.</typeparam>
    /// <param name="authoritative">What the server says, as change sets.</param>
    /// <param name="edits">The edits, e.g. <see cref="EditSet{T}.Connect()"/>, possibly filtered.</param>
    /// <param name="options">How edits project onto items.</param>
    /// <returns>The optimistic view as change sets.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IObservable<IChangeSet<OptimisticItem<TItem, TKey>, TKey>> MergeOptimistic<TItem, TKey, TEdit>(
        this IObservable<IChangeSet<TItem, TKey>> authoritative,
        IObservable<IChangeSet<Edit<TEdit>, EditId>> edits,
        OptimisticOptions<TItem, TKey, TEdit> options)
        where TItem : class
        where TKey : notnull =>
        MergeOptimistic(authoritative, edits, options, DefaultScheduler.Instance);

    /// <summary>Merges <paramref name="authoritative"/> with a stream of edit change sets, timing settles on <paramref name="scheduler"/>.</summary>
    /// <typeparam name="TItem">The type of the items.</typeparam>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <typeparam name="TEdit">The type of the edits' values.</typeparam>
    /// <param name="authoritative">What the server says, as change sets.</param>
    /// <param name="edits">The edits, e.g. <see cref="EditSet{T}.Connect()"/>, possibly filtered.</param>
    /// <param name="options">How edits project onto items.</param>
    /// <param name="scheduler">The scheduler of the settle timeout; a virtual-time scheduler in tests.</param>
    /// <returns>The optimistic view as change sets.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="OptimisticOptions{TItem, TKey, TEdit}.SettleTimeout"/> is negative.</exception>
    public static IObservable<IChangeSet<OptimisticItem<TItem, TKey>, TKey>> MergeOptimistic<TItem, TKey, TEdit>(
        this IObservable<IChangeSet<TItem, TKey>> authoritative,
        IObservable<IChangeSet<Edit<TEdit>, EditId>> edits,
        OptimisticOptions<TItem, TKey, TEdit> options,
        IScheduler scheduler)
        where TItem : class
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(authoritative);
        ArgumentNullException.ThrowIfNull(edits);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.KeyOf, nameof(options));
        ArgumentNullException.ThrowIfNull(options.Predict, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SettleTimeout, TimeSpan.Zero, nameof(options));
        ArgumentNullException.ThrowIfNull(scheduler);
        return Observable.Create<IChangeSet<OptimisticItem<TItem, TKey>, TKey>>(observer =>
            new OptimisticMerge<TItem, TKey, TEdit>(options, scheduler, observer).Run(authoritative, edits));
    }

    /// <summary>Merges <paramref name="authoritative"/> with a stream of edit change sets, timing settles on <paramref name="timeProvider"/>.</summary>
    /// <typeparam name="TItem">The type of the items.</typeparam>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <typeparam name="TEdit">The type of the edits' values.</typeparam>
    /// <param name="authoritative">What the server says, as change sets.</param>
    /// <param name="edits">The edits, e.g. <see cref="EditSet{T}.Connect()"/>, possibly filtered.</param>
    /// <param name="options">How edits project onto items.</param>
    /// <param name="timeProvider">The clock of the settle timeout; a <c>FakeTimeProvider</c> in tests.</param>
    /// <returns>The optimistic view as change sets.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="OptimisticOptions{TItem, TKey, TEdit}.SettleTimeout"/> is negative.</exception>
    public static IObservable<IChangeSet<OptimisticItem<TItem, TKey>, TKey>> MergeOptimistic<TItem, TKey, TEdit>(
        this IObservable<IChangeSet<TItem, TKey>> authoritative,
        IObservable<IChangeSet<Edit<TEdit>, EditId>> edits,
        OptimisticOptions<TItem, TKey, TEdit> options,
        TimeProvider timeProvider)
        where TItem : class
        where TKey : notnull =>
        MergeOptimistic(authoritative, edits, options, TimeProviderScheduler.From(timeProvider));

    /// <summary>Reports each time a prediction is replaced by an authoritative item that differs from it.</summary>
    /// <typeparam name="TItem">The type of the items.</typeparam>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <param name="view">An optimistic view.</param>
    /// <param name="itemComparer">Decides whether two items differ; <see langword="null"/> for <see cref="EqualityComparer{T}.Default"/>.</param>
    /// <returns>One mismatch per Update that replaces a prediction (<see cref="OptimisticItem{TItem, TKey}.IsPredicted"/>) by a different authoritative item: on the acknowledgement, or before it when the item already includes the edit.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="view"/> is <see langword="null"/>.</exception>
    /// <remarks>Use it to tell the user "the server changed your edit", or to log mispredictions. Errors and completion pass through.</remarks>
    public static IObservable<PredictionMismatch<TItem, TKey>> PredictionMismatches<TItem, TKey>(
        this IObservable<IChangeSet<OptimisticItem<TItem, TKey>, TKey>> view,
        IEqualityComparer<TItem>? itemComparer = null)
        where TItem : class
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(view);
        var comparer = itemComparer ?? EqualityComparer<TItem>.Default;
        return Observable.Create<PredictionMismatch<TItem, TKey>>(observer => view.Subscribe(
            changes =>
            {
                foreach (var change in changes)
                {
                    // A prediction gives way to the authoritative item: when the edit is acknowledged, or earlier, while it
                    // is still pending, when the item arrives and already includes it (OptimisticOptions.Includes).
                    if (change.Reason == ChangeReason.Update
                        && change.Previous is { IsPredicted: true, EditId: not null } predicted
                        && change.Current is { IsPredicted: false, State: not OptimisticState.Failed } current
                        && (current.State == OptimisticState.Confirmed || current.EditId == predicted.EditId)
                        && !comparer.Equals(predicted.Item, current.Item))
                    {
                        observer.OnNext(new PredictionMismatch<TItem, TKey>(change.Key, predicted.Item, change.Current.Item, predicted.EditId));
                    }
                }
            },
            observer.OnError,
            observer.OnCompleted));
    }
}
