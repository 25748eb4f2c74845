namespace Reactive.Edits;

/// <summary>Names where an edit is in its lifecycle.</summary>
/// <remarks>
/// <see cref="Pending"/> and <see cref="Rejected"/> are the states an edit lives in inside an <see cref="EditSet{T}"/>;
/// the others are terminal and are seen on the edit that leaves the set (the <see cref="ChangeSets.ChangeReason.Remove"/>
/// change carries it).
/// </remarks>
public enum EditStatus
{
    /// <summary>Requested and not yet settled: the input is dirty and the token of the current attempt is live.</summary>
    Pending = 0,

    /// <summary>Settled by <see cref="EditToken.Accept"/>. Terminal.</summary>
    Accepted = 1,

    /// <summary>Settled by <see cref="EditToken.Reject(Exception)"/> or a timeout; keeps its value and error until retried or discarded.</summary>
    Rejected = 2,

    /// <summary>Cancelled by the user, the committer or the disposal of the edit set. Terminal.</summary>
    Cancelled = 3,

    /// <summary>Replaced by a newer edit under a latest-wins or coalescing policy. Terminal.</summary>
    Superseded = 4,

    /// <summary>A rejected edit the user chose not to retry. Terminal.</summary>
    Discarded = 5,
}
