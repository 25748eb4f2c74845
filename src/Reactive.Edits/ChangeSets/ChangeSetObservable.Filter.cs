namespace Reactive.Edits.ChangeSets;

public static partial class ChangeSetObservable
{
    /// <summary>Keeps the items that satisfy a predicate, re-evaluating it on every change of an item.</summary>
    /// <typeparam name="TObject">The type of the items.</typeparam>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <param name="source">The change sets to filter.</param>
    /// <param name="predicate">Says whether an item is kept; called once per add, update and refresh of its key.</param>
    /// <returns>The change sets of the kept items; an input change set that yields no change emits nothing.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="predicate"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// <list type="table">
    /// <listheader><term>input</term><description>output</description></listheader>
    /// <item><term>Add</term><description>Add if the item passes, else nothing</description></item>
    /// <item><term>Update</term><description>passed before and now: Update; only now: Add; only before: Remove whose <c>Current</c> is the new item and <c>Previous</c> the item that last passed; neither: nothing</description></item>
    /// <item><term>Remove</term><description>Remove (forwarded as it came) if the key was kept, else nothing</description></item>
    /// <item><term>Refresh</term><description>passed before and now: Refresh; only now: Add; only before: Remove; neither: nothing</description></item>
    /// <item><term>predicate throws</term><description><c>OnError</c> with that exception; the input subscription is disposed</description></item>
    /// <item><term>OnError</term><description>forwarded</description></item>
    /// <item><term>OnCompleted</term><description>forwarded</description></item>
    /// <item><term>dispose</term><description>disposes the input subscription and drops the set of kept keys</description></item>
    /// </list>
    /// <para>Memory: the set of kept keys (the items themselves are not stored).</para>
    /// </remarks>
    public static IObservable<IChangeSet<TObject, TKey>> Filter<TObject, TKey>(
        this IObservable<IChangeSet<TObject, TKey>> source,
        Func<TObject, bool> predicate)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(predicate);
        return new FilterOperator<TObject, TKey>(source, predicate);
    }
}
