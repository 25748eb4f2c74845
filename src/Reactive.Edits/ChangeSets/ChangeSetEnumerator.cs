namespace Reactive.Edits.ChangeSets;

/// <summary>Enumerates the changes of a change set in order, without allocating.</summary>
/// <typeparam name="TObject">The type of the items.</typeparam>
/// <typeparam name="TKey">The type of the keys.</typeparam>
/// <remarks>
/// <see cref="IChangeSet{TObject, TKey}.GetEnumerator"/> returns this struct, so <c>foreach</c> over an
/// <see cref="IChangeSet{TObject, TKey}"/> (what every subscriber holds) boxes no enumerator: one allocation fewer per
/// change set and subscriber. It reads the changes through the indexer; enumerating it through
/// <see cref="IEnumerable{T}"/> (LINQ) boxes it as any struct enumerator.
/// </remarks>
public struct ChangeSetEnumerator<TObject, TKey> : IEnumerator<Change<TObject, TKey>>
    where TKey : notnull
{
    private readonly IChangeSet<TObject, TKey> _changes;
    private readonly int _count;
    private int _index;

    /// <summary>Initializes an enumerator positioned before the first change of <paramref name="changes"/>.</summary>
    /// <param name="changes">The change set; it is immutable once published, so its count is read once.</param>
    /// <exception cref="ArgumentNullException"><paramref name="changes"/> is <see langword="null"/>.</exception>
    public ChangeSetEnumerator(IChangeSet<TObject, TKey> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        _changes = changes;
        _count = changes.Count;
        _index = -1;
    }

    /// <summary>Gets the change at the current position.</summary>
    public readonly Change<TObject, TKey> Current => _changes[_index];

    readonly object System.Collections.IEnumerator.Current => Current;

    /// <summary>Moves to the next change.</summary>
    /// <returns><see langword="false"/> after the last change.</returns>
    public bool MoveNext() => ++_index < _count;

    /// <summary>Moves back before the first change.</summary>
    public void Reset() => _index = -1;

    /// <summary>Does nothing: the enumerator holds no resource.</summary>
    public readonly void Dispose()
    {
    }
}
