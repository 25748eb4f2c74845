using Reactive.Edits.ChangeSets;
using Reactive.Edits.Optimistic;

namespace Reactive.Edits.Tests.Optimistic;

/// <summary>
/// Rebuilds an optimistic view from its change sets and records every broken rule of the change-set grammar: an Add of a
/// key already shown, an Update or Remove of a key not shown or whose item is not the one shown, and an Update whose
/// Current equals its Previous (nothing the subscriber can see changed).
/// </summary>
public sealed class ViewReplica<TItem>
    where TItem : class
{
    /// <summary>The view as a dictionary rebuilt from its change sets.</summary>
    public Dictionary<string, OptimisticItem<TItem, string>> Items { get; } = [];

    /// <summary>Every change seen per key, in order.</summary>
    public Dictionary<string, List<ChangeReason>> History { get; } = [];

    /// <summary>Every item published per key (the Current of each change), in order.</summary>
    public Dictionary<string, List<OptimisticItem<TItem, string>>> Published { get; } = [];

    public List<string> Violations { get; } = [];

    public void Apply(IChangeSet<OptimisticItem<TItem, string>, string> changes)
    {
        foreach (var change in changes)
        {
            if (!History.TryGetValue(change.Key, out var history))
            {
                History[change.Key] = history = [];
                Published[change.Key] = [];
            }

            history.Add(change.Reason);
            Published[change.Key].Add(change.Current);
            switch (change.Reason)
            {
                case ChangeReason.Add:
                    if (!Items.TryAdd(change.Key, change.Current))
                    {
                        Violations.Add($"Add of {change.Key}, which is already shown");
                    }

                    break;
                case ChangeReason.Update:
                    if (!Items.TryGetValue(change.Key, out var updated))
                    {
                        Violations.Add($"Update of {change.Key}, which is not shown");
                    }
                    else if (!updated.Equals(change.Previous))
                    {
                        // The merge may make Previous anew, but it must equal what it published before.
                        Violations.Add($"Update of {change.Key} whose Previous ({change.Previous}) is not the item shown ({updated})");
                    }

                    if (change.Current.Equals(change.Previous))
                    {
                        Violations.Add($"Update of {change.Key} whose Current equals its Previous ({change.Current} {change.Current.Item})");
                    }

                    Items[change.Key] = change.Current;
                    break;
                case ChangeReason.Remove:
                    if (!Items.Remove(change.Key, out var removed))
                    {
                        Violations.Add($"Remove of {change.Key}, which is not shown");
                    }
                    else if (!removed.Equals(change.Current))
                    {
                        Violations.Add($"Remove of {change.Key} whose item ({change.Current}) is not the item shown ({removed})");
                    }

                    break;
            }
        }
    }
}
