namespace Reactive.Edits;

/// <summary>Says what an <see cref="EditPolicy"/> does with a request that arrives while its in-flight limit is reached.</summary>
public enum EditOverflow
{
    /// <summary>The request waits, pending, and starts when a slot frees, in request order.</summary>
    Wait = 0,

    /// <summary>The request is refused; nothing is added to the edit set.</summary>
    Refuse = 1,

    /// <summary>The in-flight and waiting edits are superseded (their attempts cancelled) and the request starts at once.</summary>
    SupersedeInFlight = 2,

    /// <summary>The request waits, and supersedes any edit already waiting, so at most one waits (the latest).</summary>
    SupersedeWaiting = 3,
}
