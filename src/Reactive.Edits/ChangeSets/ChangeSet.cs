namespace Reactive.Edits.ChangeSets;

/// <summary>Holds a batch of changes; the list implementation of <see cref="IChangeSet{TObject, TKey}"/>.</summary>
/// <typeparam name="TObject">The type of the items.</typeparam>
/// <typeparam name="TKey">The type of the keys.</typeparam>
/// <remarks>
/// Most change sets carry one change (one edit of a source, one key of a view), so the first change is held inline and
/// only later ones in a list: a change set of one change is a single small object.
/// </remarks>
public sealed class ChangeSet<TObject, TKey> : IChangeSet<TObject, TKey>
    where TKey : notnull
{
    private readonly int _capacity;
    private Change<TObject, TKey> _first;
    private Rest? _rest;
    private int _count;

    /// <summary>Initializes an empty change set.</summary>
    public ChangeSet()
    {
    }

    /// <summary>Initializes an empty change set with room for <paramref name="capacity"/> changes.</summary>
    /// <param name="capacity">The expected number of changes.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is negative.</exception>
    public ChangeSet(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _capacity = capacity;
    }

    /// <summary>Initializes a change set holding <paramref name="changes"/>.</summary>
    /// <param name="changes">The changes, in order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="changes"/> is <see langword="null"/>.</exception>
    public ChangeSet(IEnumerable<Change<TObject, TKey>> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        foreach (var change in changes)
        {
            Add(change);
        }
    }

    /// <summary>Gets an empty change set.</summary>
    public static IChangeSet<TObject, TKey> Empty { get; } = new ChangeSet<TObject, TKey>();

    /// <inheritdoc/>
    public int Count => _count;

    /// <inheritdoc/>
    public int Adds => CountOf(ChangeReason.Add);

    /// <inheritdoc/>
    public int Updates => CountOf(ChangeReason.Update);

    /// <inheritdoc/>
    public int Removes => CountOf(ChangeReason.Remove);

    /// <inheritdoc/>
    public int Refreshes => CountOf(ChangeReason.Refresh);

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative, or not less than <see cref="Count"/>.</exception>
    public Change<TObject, TKey> this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_count)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, "The index must be at least 0 and less than Count.");
            }

            return index == 0 ? _first : _rest![index - 1];
        }
    }

    /// <summary>Appends a change; meant for operators building a change set before they publish it.</summary>
    /// <param name="change">The change to append.</param>
    public void Add(in Change<TObject, TKey> change)
    {
        if (_count == 0)
        {
            _first = change;
        }
        else
        {
            (_rest ??= new Rest(Math.Max(_capacity - 1, 4))).Append(change);
        }

        _count++;
    }

    /// <summary>Empties the change set so that its owner can fill it again: only for one that no subscriber can keep (see <see cref="KeyedSource{TObject, TKey}"/>).</summary>
    internal void Clear()
    {
        _first = default;
        _rest = null;
        _count = 0;
    }

    /// <summary>Returns an enumerator over the changes without allocating.</summary>
    /// <returns>A struct enumerator, for <see langword="foreach"/>.</returns>
    public ChangeSetEnumerator<TObject, TKey> GetEnumerator() => new(this);

    IEnumerator<Change<TObject, TKey>> IEnumerable<Change<TObject, TKey>>.GetEnumerator() => new ChangeSetEnumerator<TObject, TKey>(this);

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => new ChangeSetEnumerator<TObject, TKey>(this);

    /// <summary>Returns the counts by reason, for diagnostics.</summary>
    /// <returns>A text such as <c>+2 ~1 -0 !0</c>.</returns>
    public override string ToString() => $"+{Adds} ~{Updates} -{Removes} !{Refreshes}";

    // The count of the first change comes from its reason, and those of the rest from the list that holds them.
    private int CountOf(ChangeReason reason) =>
        (_count > 0 && _first.Reason == reason ? 1 : 0) + (_rest?.CountOf(reason) ?? 0);

    // The changes after the first, with their counts by reason. Keeping the counts here rather than in the change set
    // keeps a change set of one change (the common case) at 56 bytes with an int key, where four counters made it 80.
    private sealed class Rest(int capacity) : List<Change<TObject, TKey>>(capacity)
    {
        private int _adds;
        private int _updates;
        private int _removes;
        private int _refreshes;

        public void Append(in Change<TObject, TKey> change)
        {
            Add(change);
            switch (change.Reason)
            {
                case ChangeReason.Add: _adds++; break;
                case ChangeReason.Update: _updates++; break;
                case ChangeReason.Remove: _removes++; break;
                default: _refreshes++; break;
            }
        }

        public int CountOf(ChangeReason reason) => reason switch
        {
            ChangeReason.Add => _adds,
            ChangeReason.Update => _updates,
            ChangeReason.Remove => _removes,
            _ => _refreshes,
        };
    }
}
