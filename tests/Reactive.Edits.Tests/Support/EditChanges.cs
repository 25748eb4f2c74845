using Reactive.Edits.ChangeSets;

namespace Reactive.Edits.Tests.Support;

/// <summary>Reads recorded edit-set change sets as flat, comparable rows.</summary>
public static class EditChanges
{
    /// <summary>Flattens change sets to (reason, status, id) rows in delivery order.</summary>
    public static IReadOnlyList<(ChangeReason Reason, EditStatus Status, EditId Id)> Rows<T>(this IEnumerable<IChangeSet<Edit<T>, EditId>> changeSets) =>
        [.. changeSets.SelectMany(static changes => changes).Select(static change => (change.Reason, change.Current.Status, change.Key))];

    /// <summary>Flattens change sets to their changes in delivery order.</summary>
    public static IReadOnlyList<Change<Edit<T>, EditId>> Flat<T>(this IEnumerable<IChangeSet<Edit<T>, EditId>> changeSets) =>
        [.. changeSets.SelectMany(static changes => changes)];
}
