namespace Reactive.Edits.ChangeSets;

/// <summary>Names why an item of a keyed collection changed.</summary>
/// <remarks>The names and their order are DynamicData's, so that code written against either reads the same.</remarks>
public enum ChangeReason
{
    /// <summary>The key was not present and now is.</summary>
    Add = 0,

    /// <summary>The key was present and its item was replaced; <see cref="Change{TObject, TKey}.Previous"/> holds the old item.</summary>
    Update = 1,

    /// <summary>The key was present and now is not; <see cref="Change{TObject, TKey}.Current"/> holds the removed item.</summary>
    Remove = 2,

    /// <summary>The item is unchanged but something it derives from changed; downstream operators re-evaluate it.</summary>
    Refresh = 3,
}
