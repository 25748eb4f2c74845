namespace Reactive.Edits;

/// <summary>Says what cancelling an edit achieved, honestly.</summary>
public enum EditCancellation
{
    /// <summary>Nothing was cancelled: the edit is unknown, not pending, or its token was spent first.</summary>
    NotCancelled = 0,

    /// <summary>The edit was cancelled before its attempt was started: it is guaranteed to have had no effect. Never said of a restored edit (<see cref="Edit{T}.IsRestored"/>), which an earlier run may have sent.</summary>
    BeforeStart = 1,

    /// <summary>
    /// The edit was cancelled after its attempt was started: tracking stopped and the committer's cancellation token
    /// fired, but the command may still have taken effect (a server may apply it, and its result then shows up like
    /// anyone else's).
    /// </summary>
    AfterStart = 2,
}
