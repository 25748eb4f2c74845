namespace Reactive.Edits.Remote;

/// <summary>Lists the error codes the library itself produces; an application's own codes should not start with <c>edit.</c>.</summary>
public static class RemoteErrorCodes
{
    /// <summary>The same edit id arrived with a different command than the one first recorded for it.</summary>
    public const string ConflictingCommand = "edit.conflicting-command";

    /// <summary>The client gave up waiting for an answer (<see cref="RemoteEditGaveUpException"/>): the outcome is unknown. A failed edit restored by an <see cref="UnsettledEditJournal{TCommand}"/> carries this code when that was why it failed.</summary>
    public const string GaveUp = "edit.gave-up";

    /// <summary>The server's handler failed with an exception that was not a <see cref="RemoteEditRejectedException"/>; its details are not sent.</summary>
    public const string Failed = "edit.failed";

    /// <summary>The edit's command kind is not registered in the server's protocol, or the server has no handler for its type; nothing ran.</summary>
    public const string UnknownCommand = "edit.unknown-command";

    /// <summary>The server could not check the edit against its ledger (e.g. its store is failing); nothing ran, and the same edit may be retried later.</summary>
    public const string Unavailable = "edit.unavailable";
}
