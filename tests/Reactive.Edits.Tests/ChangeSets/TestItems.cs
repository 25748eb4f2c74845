using System.Collections.ObjectModel;
using System.Collections.Specialized;
using Reactive.Edits.ChangeSets;

namespace Reactive.Edits.Tests.ChangeSets;

/// <summary>An immutable item keyed by <see cref="Id"/>.</summary>
public sealed record Item(int Id, string Name, int Score = 0);

/// <summary>A mutable item, for refreshes that re-evaluate an item changed in place.</summary>
public sealed class MutableItem(int id, int value)
{
    public int Id { get; } = id;

    public int Value { get; set; } = value;

    public override string ToString() => $"{Id}:{Value}";
}

/// <summary>A list that logs every edit made to it, to check that a binding makes the minimal edits.</summary>
public sealed class LoggingList<T> : Collection<T>
{
    public List<string> Log { get; } = [];

    protected override void InsertItem(int index, T item)
    {
        Log.Add($"Insert {index}");
        base.InsertItem(index, item);
    }

    protected override void RemoveItem(int index)
    {
        Log.Add($"RemoveAt {index}");
        base.RemoveItem(index);
    }

    protected override void SetItem(int index, T item)
    {
        Log.Add($"Set {index}");
        base.SetItem(index, item);
    }

    protected override void ClearItems()
    {
        Log.Add("Clear");
        base.ClearItems();
    }
}

/// <summary>Logs the notifications of an <see cref="ObservableCollection{T}"/>, as a UI would see them.</summary>
public static class CollectionChangedLog
{
    public static List<string> Attach<T>(ObservableCollection<T> collection)
    {
        var log = new List<string>();
        collection.CollectionChanged += (_, e) => log.Add(e.Action switch
        {
            NotifyCollectionChangedAction.Add => $"Add {e.NewStartingIndex}",
            NotifyCollectionChangedAction.Remove => $"Remove {e.OldStartingIndex}",
            NotifyCollectionChangedAction.Replace => $"Replace {e.NewStartingIndex}",
            NotifyCollectionChangedAction.Move => $"Move {e.OldStartingIndex}->{e.NewStartingIndex}",
            _ => e.Action.ToString(),
        });
        return log;
    }
}

/// <summary>Counts comparisons, to check that the cost of a change does not grow with the collection.</summary>
public sealed class CountingComparer<T>(IComparer<T> inner) : IComparer<T>
{
    public int Comparisons { get; set; }

    public int Compare(T? x, T? y)
    {
        Comparisons++;
        return inner.Compare(x, y);
    }
}

public static class ChangeSetTestExtensions
{
    /// <summary>Builds a replica of the keyed collection from change sets.</summary>
    public static void ApplyTo<TObject, TKey>(this IChangeSet<TObject, TKey> changes, Dictionary<TKey, TObject> replica)
        where TKey : notnull
    {
        foreach (var change in changes)
        {
            switch (change.Reason)
            {
                case ChangeReason.Add:
                    replica.Add(change.Key, change.Current);
                    break;
                case ChangeReason.Update:
                    replica.Should().ContainKey(change.Key);
                    replica[change.Key] = change.Current;
                    break;
                case ChangeReason.Remove:
                    replica.Remove(change.Key).Should().BeTrue();
                    break;
                case ChangeReason.Refresh:
                    replica.Should().ContainKey(change.Key);
                    break;
            }
        }
    }

    public static IReadOnlyList<Change<TObject, TKey>> AllChanges<TObject, TKey>(this IEnumerable<IChangeSet<TObject, TKey>> changeSets)
        where TKey : notnull =>
        [.. changeSets.SelectMany(static changes => changes)];
}
