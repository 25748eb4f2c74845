namespace Reactive.Edits.ChangeSets;

public static partial class ChangeSetObservable
{
    /// <summary>Keeps a list sorted with the items of the change sets, using the fewest list edits, and passes the change sets on.</summary>
    /// <typeparam name="TObject">The type of the items.</typeparam>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <param name="source">The change sets to bind.</param>
    /// <param name="target">
    /// The list to keep sorted, typically an <see cref="System.Collections.ObjectModel.ObservableCollection{T}"/> a UI
    /// binds to, or a plain <see cref="List{T}"/>. It is cleared on subscribe and then owned by the subscription.
    /// </param>
    /// <param name="comparer">Orders the items.</param>
    /// <returns>The input change sets, each emitted after it was applied to <paramref name="target"/>; the binding runs while it is subscribed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/>, <paramref name="target"/> or <paramref name="comparer"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// <para>
    /// Ordering: by <paramref name="comparer"/>; items it considers equal are kept in the order their keys were added
    /// (an update keeps its key's place among equals; a key removed and added again goes after them). The order is
    /// therefore total whatever the comparer, and every position is found by binary search over an internal sorted
    /// list: a change costs O(log n) comparisons plus the list's own insert or remove.
    /// </para>
    /// <list type="table">
    /// <listheader><term>input</term><description>edit of <paramref name="target"/></description></listheader>
    /// <item><term>Add</term><description><c>Insert(index, item)</c></description></item>
    /// <item><term>Update</term><description>position unchanged: <c>target[index] = item</c> (in place, no flicker); moved: <c>target[old] = item</c> then <c>Move(old, new)</c> on an <see cref="System.Collections.ObjectModel.ObservableCollection{T}"/>, <c>RemoveAt(old)</c> then <c>Insert(new, item)</c> on other lists</description></item>
    /// <item><term>Remove</term><description><c>RemoveAt(index)</c></description></item>
    /// <item><term>Refresh</term><description>the item is re-positioned: moved as for an update if its position changed, else nothing</description></item>
    /// <item><term>first change set of adds</term><description>sorted once and appended with <c>Add</c></description></item>
    /// <item><term>change set removing every item</term><description>one <c>Clear()</c></description></item>
    /// <item><term>comparer or list throws</term><description><c>OnError</c> with that exception; the list may hold part of the failed change set</description></item>
    /// <item><term>OnError</term><description>forwarded; the list keeps its items</description></item>
    /// <item><term>OnCompleted</term><description>forwarded; the list keeps its items</description></item>
    /// <item><term>dispose</term><description>disposes the input subscription; the list keeps its items and is no longer updated</description></item>
    /// </list>
    /// <para>
    /// An item whose sort key changes in place (a mutable item) must be followed by a Refresh or Update of its key; until
    /// then the order is stale, and finding that item falls back to a linear scan.
    /// </para>
    /// <para>
    /// Threading: <paramref name="target"/> is edited on the thread that delivers the change set. For a UI list, put
    /// <c>ObserveOn</c> with the UI's scheduler before this operator. Subscribe once per list.
    /// </para>
    /// <example>
    /// <code>
    /// var messages = new ObservableCollection&lt;Message&gt;();
    /// using var binding = source.Connect()
    ///     .Filter(m =&gt; !m.IsHidden)
    ///     .ObserveOn(uiScheduler)
    ///     .SortAndBind(messages, Comparer&lt;Message&gt;.Create((a, b) =&gt; a.SentAt.CompareTo(b.SentAt)))
    ///     .Subscribe();
    /// </code>
    /// </example>
    /// </remarks>
    public static IObservable<IChangeSet<TObject, TKey>> SortAndBind<TObject, TKey>(
        this IObservable<IChangeSet<TObject, TKey>> source,
        IList<TObject> target,
        IComparer<TObject> comparer)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(comparer);
        return new SortAndBindOperator<TObject, TKey>(source, target, comparer);
    }

    /// <summary>Emits the items sorted, as an immutable snapshot after every change set.</summary>
    /// <typeparam name="TObject">The type of the items.</typeparam>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <param name="source">The change sets to sort.</param>
    /// <param name="comparer">Orders the items.</param>
    /// <returns>One immutable sorted snapshot per input change set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="comparer"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// <para>
    /// Meant for UI frameworks that re-render from a value (Blazor, MAUI's declarative UIs): each snapshot is a new list
    /// that never changes afterwards. Ordering is the same as
    /// <see cref="SortAndBind{TObject, TKey}(IObservable{IChangeSet{TObject, TKey}}, IList{TObject}, IComparer{TObject})"/>:
    /// by the comparer, ties in the order the keys were added. Keeping the order is incremental; copying the snapshot
    /// costs O(n) per change set, which is the point of a snapshot.
    /// </para>
    /// <list type="table">
    /// <listheader><term>input</term><description>output</description></listheader>
    /// <item><term>Add, Update, Remove, Refresh</term><description>applied to the sorted items; after the whole change set, one snapshot</description></item>
    /// <item><term>comparer throws</term><description><c>OnError</c> with that exception; the input subscription is disposed</description></item>
    /// <item><term>OnError</term><description>forwarded</description></item>
    /// <item><term>OnCompleted</term><description>forwarded</description></item>
    /// <item><term>dispose</term><description>disposes the input subscription; snapshots already emitted stay valid</description></item>
    /// </list>
    /// <para>Nothing is emitted before the first change set (a source that starts empty sends none).</para>
    /// </remarks>
    public static IObservable<IReadOnlyList<TObject>> ToSortedList<TObject, TKey>(
        this IObservable<IChangeSet<TObject, TKey>> source,
        IComparer<TObject> comparer)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(comparer);
        return new SortedSnapshotOperator<TObject, TKey>(source, comparer);
    }
}
