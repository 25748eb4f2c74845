namespace Reactive.Edits;

/// <summary>Names a step in an edit's lifecycle, as reported by <see cref="EditSet{T}.Events"/>.</summary>
public enum EditEventKind
{
    /// <summary>The edit was requested and added to the set.</summary>
    Requested = 0,

    /// <summary>An attempt was started: handed to the committers.</summary>
    Started = 1,

    /// <summary>The attempt was accepted; the edit left the set.</summary>
    Accepted = 2,

    /// <summary>The attempt was rejected; the edit stays, failed.</summary>
    Rejected = 3,

    /// <summary>A rejected edit was retried: same id, new attempt, new token.</summary>
    Retried = 4,

    /// <summary>The edit was cancelled; it left the set.</summary>
    Cancelled = 5,

    /// <summary>The edit was superseded by a newer one; it left the set.</summary>
    Superseded = 6,

    /// <summary>A rejected edit was discarded; it left the set.</summary>
    Discarded = 7,

    /// <summary>An edit left unsettled by an earlier run was restored into the set (<see cref="EditSet{T}.TryRestore"/>), pending or rejected.</summary>
    Restored = 8,
}
