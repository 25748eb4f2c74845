namespace Reactive.Edits.Optimistic;

/// <summary>Represents one item of an optimistic view: the item the user sees, with where it comes from.</summary>
/// <typeparam name="TItem">The type of the items.</typeparam>
/// <typeparam name="TKey">The type of the keys.</typeparam>
/// <remarks>
/// <para>
/// Immutable; the view publishes a new one, as an <c>Update</c> of the same key, whenever any part changes. Compare
/// items with <see cref="Equals(OptimisticItem{TItem, TKey})"/>, not by reference: the <c>Previous</c> of a change
/// equals the item published before it but need not be the same instance.
/// </para>
/// <para>
/// By the same equality, no <c>Update</c> of the view has a <c>Current</c> equal to its <c>Previous</c>: a change of
/// the inputs that leaves the key's item, state, error, edit id and order as they were (an acknowledgement that arrives
/// before the authoritative item, a waiting edit that starts, an authoritative item equal to the one it replaces) is
/// not published. Items are compared with <see cref="EqualityComparer{T}.Default"/>, so give <typeparamref name="TItem"/>
/// value equality (a record, say): <see cref="OptimisticOptions{TItem, TKey, TEdit}.Predict"/> makes a new item on
/// every call, and with reference equality each recomputation would count as a change.
/// </para>
/// </remarks>
public sealed class OptimisticItem<TItem, TKey> : IEquatable<OptimisticItem<TItem, TKey>>
    where TItem : class
    where TKey : notnull
{
    // What only an item with edits carries, kept apart so that a confirmed item, the bulk of a large view, is 40 bytes
    // with an int key instead of 72. A view publishes two of them (Previous and Current) for every authoritative change,
    // and in a large view the collector's work grows with the bytes allocated per change (docs/benchmarks.md).
    private readonly EditDetails? _details;

    internal OptimisticItem(TKey key, TItem item, OptimisticState state, Exception? error, EditId? editId, bool isLocal, long sequence, bool isPredicted = false)
    {
        Key = key;
        Item = item;
        State = state;
        if (error is not null || editId is not null || isLocal || sequence != 0 || isPredicted)
        {
            _details = new EditDetails(error, editId, isLocal, sequence, isPredicted);
        }
    }

    /// <summary>Gets the key.</summary>
    public TKey Key { get; }

    /// <summary>Gets the item to show: the authoritative item, with the key's edits that it does not include (see <see cref="OptimisticOptions{TItem, TKey, TEdit}.Includes"/>) predicted on top of it.</summary>
    public TItem Item { get; }

    /// <summary>Gets where the item comes from.</summary>
    public OptimisticState State { get; }

    /// <summary>Gets the error of the rejected edit while <see cref="State"/> is <see cref="OptimisticState.Failed"/>.</summary>
    public Exception? Error => _details?.Error;

    /// <summary>Gets the id of the latest local edit on this key, or <see langword="null"/> for a confirmed item (use it to retry or discard).</summary>
    public EditId? EditId => _details?.EditId;

    /// <summary>Gets a value indicating whether no authoritative item exists for the key yet: a local creation.</summary>
    /// <remarks>Local items sort after confirmed ones (nobody sends into the past); see <see cref="OptimisticOrder"/>.</remarks>
    public bool IsLocal => _details?.IsLocal ?? false;

    /// <summary>Gets a value indicating whether <see cref="Item"/> is a prediction: at least one edit is applied on top of the authoritative item (or there is none yet).</summary>
    /// <remarks><see langword="false"/> for an authoritative item, including one that already includes the key's pending
    /// edits (<see cref="OptimisticOptions{TItem, TKey, TEdit}.Includes"/>); a view may show predicted text differently.</remarks>
    public bool IsPredicted => _details?.IsPredicted ?? false;

    /// <summary>Gets the request order of the first local edit on the key (<see cref="Edit{T}.Sequence"/>), or 0 for a confirmed item.</summary>
    public long Sequence => _details?.Sequence ?? 0;

    /// <summary>Compares with another item property by property: keys and items with their default equality comparers, errors by reference.</summary>
    /// <param name="other">The other item.</param>
    /// <returns><see langword="true"/> if every property is equal.</returns>
    public bool Equals(OptimisticItem<TItem, TKey>? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (State == other.State
                && IsLocal == other.IsLocal
                && IsPredicted == other.IsPredicted
                && Sequence == other.Sequence
                && EditId == other.EditId
                && ReferenceEquals(Error, other.Error)
                && EqualityComparer<TKey>.Default.Equals(Key, other.Key)
                && EqualityComparer<TItem>.Default.Equals(Item, other.Item)));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as OptimisticItem<TItem, TKey>);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Key, Item, State, EditId);

    /// <summary>Returns the key and state, for diagnostics.</summary>
    /// <returns>A text such as <c>42 Pending</c>.</returns>
    public override string ToString() => $"{Key} {State}";

    private sealed class EditDetails(Exception? error, EditId? editId, bool isLocal, long sequence, bool isPredicted)
    {
        public Exception? Error { get; } = error;

        public EditId? EditId { get; } = editId;

        public bool IsLocal { get; } = isLocal;

        public long Sequence { get; } = sequence;

        public bool IsPredicted { get; } = isPredicted;
    }
}
