namespace Reactive.Edits.ChangeSets;

/// <summary>Provides the change-set operators: transform, filter, sorted binding and snapshots.</summary>
/// <remarks>
/// <para>
/// The operators are shaped like DynamicData's (same change reasons, same operator names where they exist), in their
/// own namespace so that an application can reference both. Each works incrementally: the cost of a change does not
/// grow with the size of the collection, except for the snapshot operators, whose point is a full snapshot.
/// </para>
/// <para>
/// Every operator expects a well-formed input as <see cref="KeyedSource{TObject, TKey}.Connect()"/> produces it: change
/// sets delivered one at a time (the Rx grammar), an add only for an absent key, an update, refresh or remove only for a
/// present one. Keys are compared with <see cref="EqualityComparer{T}.Default"/>. None of them marshals to another
/// thread: use Rx's <c>ObserveOn</c> before an operator that touches a UI.
/// </para>
/// </remarks>
public static partial class ChangeSetObservable
{
    /// <summary>Projects each item into a new form, keeping its key.</summary>
    /// <typeparam name="TSource">The type of the input items.</typeparam>
    /// <typeparam name="TDestination">The type of the transformed items.</typeparam>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <param name="source">The change sets to transform.</param>
    /// <param name="selector">Transforms an item; called once per add, update and refresh of its key.</param>
    /// <returns>The change sets of the transformed items, one per input change set that yields a change.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="selector"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// <list type="table">
    /// <listheader><term>input</term><description>output</description></listheader>
    /// <item><term>Add</term><description>Add of the transformed item</description></item>
    /// <item><term>Update</term><description>Update of the re-transformed item; <c>Previous</c> is the transformed item it replaces</description></item>
    /// <item><term>Remove</term><description>Remove carrying the transformed item that was stored for the key (the selector is not called)</description></item>
    /// <item><term>Refresh</term><description>the item is re-transformed and emitted as an Update, <c>Previous</c> being the old transformed item</description></item>
    /// <item><term>selector throws</term><description><c>OnError</c> with that exception; the input subscription is disposed</description></item>
    /// <item><term>OnError</term><description>forwarded</description></item>
    /// <item><term>OnCompleted</term><description>forwarded</description></item>
    /// <item><term>dispose</term><description>disposes the input subscription and drops the stored transformed items</description></item>
    /// </list>
    /// <para>Memory: one transformed item per key. Each subscription transforms independently.</para>
    /// </remarks>
    public static IObservable<IChangeSet<TDestination, TKey>> Transform<TSource, TDestination, TKey>(
        this IObservable<IChangeSet<TSource, TKey>> source,
        Func<TSource, TDestination> selector)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(selector);
        return new TransformOperator<TSource, TDestination, TKey>(source, (item, _) => selector(item));
    }

    /// <summary>Projects each item and its key into a new form, keeping the key.</summary>
    /// <typeparam name="TSource">The type of the input items.</typeparam>
    /// <typeparam name="TDestination">The type of the transformed items.</typeparam>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <param name="source">The change sets to transform.</param>
    /// <param name="selector">Transforms an item given its key; called once per add, update and refresh of that key.</param>
    /// <returns>The change sets of the transformed items, one per input change set that yields a change.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="selector"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// <list type="table">
    /// <listheader><term>input</term><description>output</description></listheader>
    /// <item><term>Add</term><description>Add of the transformed item</description></item>
    /// <item><term>Update</term><description>Update of the re-transformed item; <c>Previous</c> is the transformed item it replaces</description></item>
    /// <item><term>Remove</term><description>Remove carrying the transformed item that was stored for the key (the selector is not called)</description></item>
    /// <item><term>Refresh</term><description>the item is re-transformed and emitted as an Update, <c>Previous</c> being the old transformed item</description></item>
    /// <item><term>selector throws</term><description><c>OnError</c> with that exception; the input subscription is disposed</description></item>
    /// <item><term>OnError</term><description>forwarded</description></item>
    /// <item><term>OnCompleted</term><description>forwarded</description></item>
    /// <item><term>dispose</term><description>disposes the input subscription and drops the stored transformed items</description></item>
    /// </list>
    /// <para>Memory: one transformed item per key. Each subscription transforms independently.</para>
    /// </remarks>
    public static IObservable<IChangeSet<TDestination, TKey>> Transform<TSource, TDestination, TKey>(
        this IObservable<IChangeSet<TSource, TKey>> source,
        Func<TSource, TKey, TDestination> selector)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(selector);
        return new TransformOperator<TSource, TDestination, TKey>(source, selector);
    }
}
