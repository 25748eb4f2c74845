namespace Reactive.Edits.ChangeSets;

/// <summary>Holds a batch of changes; the list implementation of <see cref="IChangeSet{TObject, TKey}"/>.</summary>
/// <typeparam name="TObject">The type of the items.</typeparam>
/// <typeparam name="TKey">The type of the keys.</typeparam>
public sealed class ChangeSet<TObject, TKey> : IChangeSet<TObject, TKey>
    where TKey : notnull
{
    private readonly List<Change<TObject, TKey>> _changes;

    /// <summary>Initializes an empty change set.</summary>
    public ChangeSet()
    {
        _changes = [];
    }

    /// <summary>Initializes an empty change set with room for <paramref name="capacity"/> changes.</summary>
    /// <param name="capacity">The expected number of changes.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is negative.</exception>
    public ChangeSet(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _changes = new List<Change<TObject, TKey>>(capacity);
    }

    /// <summary>Initializes a change set holding <paramref name="changes"/>.</summary>
    /// <param name="changes">The changes, in order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="changes"/> is <see langword="null"/>.</exception>
    public ChangeSet(IEnumerable<Change<TObject, TKey>> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        _changes = [];
        foreach (var change in changes)
        {
            Add(change);
        }
    }

    /// <summary>Gets an empty change set.</summary>
    public static IChangeSet<TObject, TKey> Empty { get; } = new ChangeSet<TObject, TKey>();

    /// <inheritdoc/>
    public int Count => _changes.Count;

    /// <inheritdoc/>
    public int Adds { get; private set; }

    /// <inheritdoc/>
    public int Updates { get; private set; }

    /// <inheritdoc/>
    public int Removes { get; private set; }

    /// <inheritdoc/>
    public int Refreshes { get; private set; }

    /// <inheritdoc/>
    public Change<TObject, TKey> this[int index] => _changes[index];

    /// <summary>Appends a change; meant for operators building a change set before they publish it.</summary>
    /// <param name="change">The change to append.</param>
    public void Add(in Change<TObject, TKey> change)
    {
        _changes.Add(change);
        switch (change.Reason)
        {
            case ChangeReason.Add: Adds++; break;
            case ChangeReason.Update: Updates++; break;
            case ChangeReason.Remove: Removes++; break;
            case ChangeReason.Refresh: Refreshes++; break;
        }
    }

    /// <summary>Returns an enumerator over the changes without allocating.</summary>
    /// <returns>The list enumerator.</returns>
    public List<Change<TObject, TKey>>.Enumerator GetEnumerator() => _changes.GetEnumerator();

    IEnumerator<Change<TObject, TKey>> IEnumerable<Change<TObject, TKey>>.GetEnumerator() => _changes.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _changes.GetEnumerator();

    /// <summary>Returns the counts by reason, for diagnostics.</summary>
    /// <returns>A text such as <c>+2 ~1 -0 !0</c>.</returns>
    public override string ToString() => $"+{Adds} ~{Updates} -{Removes} !{Refreshes}";
}
