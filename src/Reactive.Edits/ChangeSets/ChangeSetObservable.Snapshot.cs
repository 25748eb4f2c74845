namespace Reactive.Edits.ChangeSets;

public static partial class ChangeSetObservable
{
    /// <summary>Emits the current items, as an immutable snapshot after every change set.</summary>
    /// <typeparam name="TObject">The type of the items.</typeparam>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <param name="source">The change sets to collect.</param>
    /// <returns>One immutable snapshot of the items, in no particular order, per input change set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// <para>
    /// Like DynamicData's <c>ToCollection</c> / <c>QueryWhenChanged</c>. Keeping the items is incremental; copying the
    /// snapshot costs O(n) per change set, which is the point of a snapshot. For a sorted snapshot use
    /// <see cref="ToSortedList{TObject, TKey}(IObservable{IChangeSet{TObject, TKey}}, IComparer{TObject})"/>.
    /// </para>
    /// <list type="table">
    /// <listheader><term>input</term><description>output</description></listheader>
    /// <item><term>Add, Update, Refresh</term><description>the key holds the change's item; after the whole change set, one snapshot</description></item>
    /// <item><term>Remove</term><description>the key is dropped; after the whole change set, one snapshot</description></item>
    /// <item><term>OnError</term><description>forwarded</description></item>
    /// <item><term>OnCompleted</term><description>forwarded</description></item>
    /// <item><term>dispose</term><description>disposes the input subscription; snapshots already emitted stay valid</description></item>
    /// </list>
    /// <para>Nothing is emitted before the first change set (a source that starts empty sends none).</para>
    /// </remarks>
    public static IObservable<IReadOnlyCollection<TObject>> ToCollection<TObject, TKey>(
        this IObservable<IChangeSet<TObject, TKey>> source)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(source);
        return new CollectionSnapshotOperator<TObject, TKey>(source);
    }

    /// <summary>Emits the number of items after the first change set, then each time a change set changes it.</summary>
    /// <typeparam name="TObject">The type of the items.</typeparam>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <param name="source">The change sets to count.</param>
    /// <returns>The count, distinct from the previous emitted value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// <para>O(1) per change set: the count follows from each change set's tallies of adds and removes.</para>
    /// <list type="table">
    /// <listheader><term>input</term><description>output</description></listheader>
    /// <item><term>Add</term><description>count + 1</description></item>
    /// <item><term>Remove</term><description>count - 1</description></item>
    /// <item><term>Update, Refresh</term><description>count unchanged</description></item>
    /// <item><term>change set</term><description>the new count if it differs from the last one emitted (the first change set always emits)</description></item>
    /// <item><term>OnError</term><description>forwarded</description></item>
    /// <item><term>OnCompleted</term><description>forwarded</description></item>
    /// <item><term>dispose</term><description>disposes the input subscription</description></item>
    /// </list>
    /// </remarks>
    public static IObservable<int> CountChanged<TObject, TKey>(this IObservable<IChangeSet<TObject, TKey>> source)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(source);
        return new CountChangedOperator<TObject, TKey>(source);
    }
}
