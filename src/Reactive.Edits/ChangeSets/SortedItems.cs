using System.Collections.Immutable;
using System.Collections.ObjectModel;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace Reactive.Edits.ChangeSets;

/// <summary>Keeps the items of a change-set stream in sorted order, optionally mirrored into a bound list.</summary>
/// <typeparam name="TObject">The type of the items.</typeparam>
/// <typeparam name="TKey">The type of the keys.</typeparam>
/// <remarks>
/// <para>
/// Items are ordered by the comparer, ties by the order in which their keys were added (each key gets a sequence
/// number when it is added and keeps it through updates), so the order is total and every position is found by binary
/// search: an add, update or remove costs O(log n) comparisons plus the list's own insert or remove.
/// </para>
/// <para>
/// The bound list receives the minimal edits: an add is one <c>Insert</c>, a remove one <c>RemoveAt</c>, an update that
/// keeps its position one indexer set, an update that moves is a set then a <c>Move</c> on an
/// <see cref="ObservableCollection{T}"/> (<c>RemoveAt</c> + <c>Insert</c> on other lists). A first batch of adds into an
/// empty list is sorted once and appended; a batch that removes everything is one <c>Clear</c>.
/// </para>
/// <para>Not thread-safe: the owning sink receives serialized change sets.</para>
/// </remarks>
internal sealed class SortedItems<TObject, TKey>
    where TKey : notnull
{
    private readonly List<Entry> _sorted = [];
    private readonly Dictionary<TKey, Entry> _byKey = [];
    private readonly EntryComparer _comparer;
    private readonly IList<TObject>? _target;
    private readonly ObservableCollection<TObject>? _movableTarget;
    private long _nextSequence;

    public SortedItems(IComparer<TObject> comparer, IList<TObject>? target)
    {
        _comparer = new EntryComparer(comparer);
        _target = target;
        _movableTarget = target as ObservableCollection<TObject>;
    }

    public int Count => _sorted.Count;

    public void Apply(IChangeSet<TObject, TKey> changes)
    {
        if (changes.Count > 1 && _sorted.Count == 0 && changes.Adds == changes.Count)
        {
            AddAll(changes);
            return;
        }

        if (changes.Count > 1 && changes.Removes == changes.Count && changes.Count == _sorted.Count && RemovesEveryKey(changes))
        {
            _sorted.Clear();
            _byKey.Clear();
            _target?.Clear();
            return;
        }

        foreach (var change in changes)
        {
            switch (change.Reason)
            {
                case ChangeReason.Add:
                case ChangeReason.Update:
                    AddOrReplace(change.Key, change.Current, isRefresh: false);
                    break;
                case ChangeReason.Refresh:
                    AddOrReplace(change.Key, change.Current, isRefresh: true);
                    break;
                case ChangeReason.Remove:
                    Remove(change.Key);
                    break;
            }
        }
    }

    public ImmutableArray<TObject> Snapshot()
    {
        if (_sorted.Count == 0)
        {
            return [];
        }

        var items = new TObject[_sorted.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = _sorted[i].Item;
        }

        return ImmutableCollectionsMarshal.AsImmutableArray(items);
    }

    private void AddAll(IChangeSet<TObject, TKey> changes)
    {
        var entries = new Entry[changes.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            var change = changes[i];
            var entry = new Entry(change.Current, _nextSequence++);
            _byKey.Add(change.Key, entry);
            entries[i] = entry;
        }

        try
        {
            Array.Sort(entries, _comparer);
        }
        catch (InvalidOperationException wrapped) when (wrapped.InnerException is not null)
        {
            // Array.Sort wraps whatever the comparer throws; surface the comparer's own exception, as binary search does.
            ExceptionDispatchInfo.Throw(wrapped.InnerException);
            throw;
        }

        _sorted.AddRange(entries);
        if (_target is not null)
        {
            foreach (var entry in entries)
            {
                _target.Add(entry.Item);
            }
        }
    }

    private bool RemovesEveryKey(IChangeSet<TObject, TKey> changes)
    {
        foreach (var change in changes)
        {
            if (!_byKey.ContainsKey(change.Key))
            {
                return false;
            }
        }

        return true;
    }

    private void AddOrReplace(TKey key, TObject item, bool isRefresh)
    {
        if (!_byKey.TryGetValue(key, out var existing))
        {
            var added = new Entry(item, _nextSequence++);
            var index = InsertionIndex(added);
            _sorted.Insert(index, added);
            _byKey.Add(key, added);
            _target?.Insert(index, item);
            return;
        }

        var oldIndex = IndexOf(existing);
        var entry = new Entry(item, existing.Sequence);
        _byKey[key] = entry;

        // A refresh of the very same item leaves the bound list alone unless the item has to move.
        var replaceInTarget = !isRefresh || !EqualityComparer<TObject>.Default.Equals(existing.Item, item);
        if (FitsAt(oldIndex, entry))
        {
            _sorted[oldIndex] = entry;
            if (replaceInTarget && _target is not null)
            {
                _target[oldIndex] = item;
            }

            return;
        }

        _sorted.RemoveAt(oldIndex);
        var newIndex = InsertionIndex(entry);
        _sorted.Insert(newIndex, entry);
        if (_movableTarget is not null)
        {
            if (replaceInTarget)
            {
                _movableTarget[oldIndex] = item;
            }

            _movableTarget.Move(oldIndex, newIndex);
        }
        else if (_target is not null)
        {
            _target.RemoveAt(oldIndex);
            _target.Insert(newIndex, item);
        }
    }

    private void Remove(TKey key)
    {
        if (!_byKey.Remove(key, out var existing))
        {
            return;
        }

        var index = IndexOf(existing);
        _sorted.RemoveAt(index);
        _target?.RemoveAt(index);
    }

    // True when the entry, replacing the one at the index, is still strictly between its neighbours.
    private bool FitsAt(int index, in Entry entry) =>
        (index == 0 || _comparer.Compare(_sorted[index - 1], entry) < 0)
        && (index == _sorted.Count - 1 || _comparer.Compare(entry, _sorted[index + 1]) < 0);

    private int InsertionIndex(in Entry entry)
    {
        var index = BinarySearch(entry);
        return index < 0 ? ~index : index;
    }

    // List<T>.BinarySearch wraps a comparer's exception in an InvalidOperationException; this one lets it through.
    private int BinarySearch(in Entry entry)
    {
        var sorted = CollectionsMarshal.AsSpan(_sorted);
        var low = 0;
        var high = sorted.Length - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var order = _comparer.Compare(sorted[middle], entry);
            if (order == 0)
            {
                return middle;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return ~low;
    }

    private int IndexOf(in Entry entry)
    {
        var index = BinarySearch(entry);
        if (index >= 0 && _sorted[index].Sequence == entry.Sequence)
        {
            return index;
        }

        // The item's sort key changed in place (a mutable item before its refresh), so the list is not ordered around
        // it and binary search cannot find it: fall back to a scan by sequence number.
        var sequence = entry.Sequence;
        for (var i = 0; i < _sorted.Count; i++)
        {
            if (_sorted[i].Sequence == sequence)
            {
                return i;
            }
        }

        throw new InvalidOperationException("The sorted list lost track of an item; the comparer must give a consistent order.");
    }

    private readonly record struct Entry(TObject Item, long Sequence);

    private sealed class EntryComparer(IComparer<TObject> comparer) : IComparer<Entry>
    {
        public int Compare(Entry x, Entry y)
        {
            var order = comparer.Compare(x.Item, y.Item);
            return order != 0 ? order : x.Sequence.CompareTo(y.Sequence);
        }
    }
}
