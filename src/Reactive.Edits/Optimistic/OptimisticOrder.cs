namespace Reactive.Edits.Optimistic;

/// <summary>Creates total orders for optimistic views: confirmed items in the application's order, then local items in request order.</summary>
public static class OptimisticOrder
{
    /// <summary>Creates a comparer that sorts confirmed items by <paramref name="confirmedOrder"/> and puts local items after them, in request order.</summary>
    /// <typeparam name="TItem">The type of the items.</typeparam>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <param name="confirmedOrder">The order of the authoritative items, e.g. by server timestamp.</param>
    /// <param name="keyOrder">Breaks ties of equal sort keys so the order is total; <see langword="null"/> for <see cref="Comparer{T}.Default"/>.</param>
    /// <returns>A comparer that never returns 0 for two different keys.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="confirmedOrder"/> is <see langword="null"/>.</exception>
    /// <remarks>Nobody can send into the past: a message typed now must not appear above one the server already has.</remarks>
    public static IComparer<OptimisticItem<TItem, TKey>> Create<TItem, TKey>(IComparer<TItem> confirmedOrder, IComparer<TKey>? keyOrder = null)
        where TItem : class
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(confirmedOrder);
        var keys = keyOrder ?? Comparer<TKey>.Default;
        return Comparer<OptimisticItem<TItem, TKey>>.Create((x, y) =>
        {
            if (x.IsLocal != y.IsLocal)
            {
                return x.IsLocal ? 1 : -1;
            }

            var order = x.IsLocal ? x.Sequence.CompareTo(y.Sequence) : confirmedOrder.Compare(x.Item, y.Item);
            return order != 0 ? order : keys.Compare(x.Key, y.Key);
        });
    }
}
