namespace Reactive.Edits.ChangeSets;

/// <summary>Represents a batch of changes to a keyed collection that happened together.</summary>
/// <typeparam name="TObject">The type of the items.</typeparam>
/// <typeparam name="TKey">The type of the keys.</typeparam>
/// <remarks>
/// A change set is immutable once published. Its changes are in the order they happened; applying them one after
/// another to the previous state gives the new state (one key may appear more than once in a batch).
/// </remarks>
public interface IChangeSet<TObject, TKey> : IReadOnlyList<Change<TObject, TKey>>
    where TKey : notnull
{
    /// <summary>Gets the number of <see cref="ChangeReason.Add"/> changes.</summary>
    int Adds { get; }

    /// <summary>Gets the number of <see cref="ChangeReason.Update"/> changes.</summary>
    int Updates { get; }

    /// <summary>Gets the number of <see cref="ChangeReason.Remove"/> changes.</summary>
    int Removes { get; }

    /// <summary>Gets the number of <see cref="ChangeReason.Refresh"/> changes.</summary>
    int Refreshes { get; }

    /// <summary>Returns an enumerator of the changes, in order, that <c>foreach</c> uses without allocating.</summary>
    /// <returns>An enumerator positioned before the first change.</returns>
    new ChangeSetEnumerator<TObject, TKey> GetEnumerator();
}
