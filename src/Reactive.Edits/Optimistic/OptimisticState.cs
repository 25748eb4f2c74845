namespace Reactive.Edits.Optimistic;

/// <summary>Says where an item of an optimistic view comes from, so that a UI can style it.</summary>
public enum OptimisticState
{
    /// <summary>The authoritative item, with no local edit on top of it.</summary>
    Confirmed = 0,

    /// <summary>At least one pending edit on the key (or an accepted edit whose authoritative copy has not arrived yet): the item is its prediction, or the authoritative item when that already includes it.</summary>
    Pending = 1,

    /// <summary>A prediction from a rejected edit, kept with its error until the user retries or discards it.</summary>
    Failed = 2,
}
