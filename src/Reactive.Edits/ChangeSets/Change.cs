using System.Diagnostics.CodeAnalysis;

namespace Reactive.Edits.ChangeSets;

/// <summary>Describes one change to one key of a keyed collection.</summary>
/// <typeparam name="TObject">The type of the items.</typeparam>
/// <typeparam name="TKey">The type of the keys.</typeparam>
/// <remarks>
/// For <see cref="ChangeReason.Remove"/>, <see cref="Current"/> is the item that was removed. <see cref="Previous"/> is
/// meaningful only when <see cref="HasPrevious"/> is <see langword="true"/>, which is the case for every
/// <see cref="ChangeReason.Update"/>.
/// </remarks>
public readonly struct Change<TObject, TKey> : IEquatable<Change<TObject, TKey>>
    where TKey : notnull
{
    /// <summary>Initializes a change that has no previous item (add, remove, refresh).</summary>
    /// <param name="reason">Why the key changed.</param>
    /// <param name="key">The key that changed.</param>
    /// <param name="current">The item now at the key, or the removed item for <see cref="ChangeReason.Remove"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reason"/> is not one of the four reasons.</exception>
    public Change(ChangeReason reason, TKey key, TObject current)
    {
        _reason = Checked(reason);
        Key = key;
        Current = current;
        Previous = default;
        HasPrevious = false;
    }

    /// <summary>Initializes a change that replaces <paramref name="previous"/> with <paramref name="current"/>.</summary>
    /// <param name="reason">Why the key changed, normally <see cref="ChangeReason.Update"/>.</param>
    /// <param name="key">The key that changed.</param>
    /// <param name="current">The item now at the key.</param>
    /// <param name="previous">The item that was at the key.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reason"/> is not one of the four reasons.</exception>
    public Change(ChangeReason reason, TKey key, TObject current, TObject previous)
    {
        _reason = Checked(reason);
        Key = key;
        Current = current;
        Previous = previous;
        HasPrevious = true;
    }

    /// <summary>Gets the item that was at the key before this change.</summary>
    /// <param name="item">Nothing for an <see cref="ChangeReason.Add"/>; otherwise <see cref="Previous"/> when the change has one, else <see cref="Current"/> (the removed item of a Remove, the unchanged item of a Refresh).</param>
    /// <returns><see langword="false"/> for an <see cref="ChangeReason.Add"/>: the key held nothing.</returns>
    internal bool TryGetBefore([MaybeNullWhen(false)] out TObject item)
    {
        if (Reason == ChangeReason.Add)
        {
            item = default;
            return false;
        }

        item = HasPrevious ? Previous! : Current;
        return true;
    }

    // The reason is kept in one byte beside HasPrevious: with an int key a change is 24 bytes instead of 32, and every
    // change set holds one inline. The constructors refuse a value that is not one of the four reasons, so the byte
    // always gives back what was passed.
    private readonly byte _reason;

    /// <summary>Gets why the key changed.</summary>
    public ChangeReason Reason => (ChangeReason)_reason;

    /// <summary>Gets the key that changed.</summary>
    public TKey Key { get; }

    /// <summary>Gets the item now at the key; for a removal, the item that was removed.</summary>
    public TObject Current { get; }

    /// <summary>Gets the item that was at the key before an update.</summary>
    public TObject? Previous { get; }

    /// <summary>Gets a value indicating whether <see cref="Previous"/> holds an item.</summary>
    public bool HasPrevious { get; }

    private static byte Checked(ChangeReason reason) =>
        (uint)reason <= (uint)ChangeReason.Refresh
            ? (byte)reason
            : throw new ArgumentOutOfRangeException(nameof(reason), reason, "The reason must be Add, Update, Remove or Refresh.");

    /// <inheritdoc/>
    public bool Equals(Change<TObject, TKey> other) =>
        Reason == other.Reason
        && EqualityComparer<TKey>.Default.Equals(Key, other.Key)
        && EqualityComparer<TObject>.Default.Equals(Current, other.Current)
        && HasPrevious == other.HasPrevious
        && EqualityComparer<TObject?>.Default.Equals(Previous, other.Previous);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Change<TObject, TKey> other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Reason, Key, Current, Previous);

    /// <summary>Returns a short text naming the reason and key, for diagnostics.</summary>
    /// <returns>The reason and the key, e.g. <c>Update 42</c>.</returns>
    public override string ToString() => $"{Reason} {Key}";

    /// <summary>Compares two changes for equality.</summary>
    /// <param name="left">The first change.</param>
    /// <param name="right">The second change.</param>
    /// <returns><see langword="true"/> if both describe the same change.</returns>
    public static bool operator ==(Change<TObject, TKey> left, Change<TObject, TKey> right) => left.Equals(right);

    /// <summary>Compares two changes for inequality.</summary>
    /// <param name="left">The first change.</param>
    /// <param name="right">The second change.</param>
    /// <returns><see langword="true"/> if the changes differ.</returns>
    public static bool operator !=(Change<TObject, TKey> left, Change<TObject, TKey> right) => !left.Equals(right);
}
