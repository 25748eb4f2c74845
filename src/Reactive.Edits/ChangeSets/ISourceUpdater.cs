namespace Reactive.Edits.ChangeSets;

/// <summary>Edits a <see cref="KeyedSource{TObject, TKey}"/> inside one batch; every edit of the batch is published as one change set.</summary>
/// <typeparam name="TObject">The type of the items.</typeparam>
/// <typeparam name="TKey">The type of the keys.</typeparam>
/// <remarks>An updater is valid only inside the callback it was passed to; do not keep it.</remarks>
public interface ISourceUpdater<TObject, TKey>
    where TKey : notnull
{
    /// <summary>Gets the number of items, including the edits made so far in this batch.</summary>
    int Count { get; }

    /// <summary>Adds the item, or replaces the item with the same key.</summary>
    /// <param name="item">The item; its key comes from the source's key selector.</param>
    void AddOrUpdate(TObject item);

    /// <summary>Adds or replaces each item, in order.</summary>
    /// <param name="items">The items.</param>
    void AddOrUpdate(IEnumerable<TObject> items);

    /// <summary>Removes the item with the key, if there is one.</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> if an item was removed.</returns>
    bool Remove(TKey key);

    /// <summary>Publishes a <see cref="ChangeReason.Refresh"/> for the key, if it is present.</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> if the key is present.</returns>
    bool Refresh(TKey key);

    /// <summary>Removes every item.</summary>
    void Clear();

    /// <summary>Looks up the item with the key, including the edits made so far in this batch.</summary>
    /// <param name="key">The key.</param>
    /// <param name="item">The item, when found.</param>
    /// <returns><see langword="true"/> if the key is present.</returns>
    bool TryGetValue(TKey key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TObject item);
}
