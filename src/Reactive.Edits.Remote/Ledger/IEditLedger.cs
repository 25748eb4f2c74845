namespace Reactive.Edits.Remote;

/// <summary>Remembers which edit ids a server has run and how they ended, so that a resend has one effect and gets the first outcome.</summary>
/// <typeparam name="TCommand">The type of the edits' commands.</typeparam>
/// <remarks>
/// <para><see cref="InMemoryEditLedger{TCommand}"/> is the bounded in-process default. A durable store (a table keyed by
/// edit id, written in the same transaction as the edit's effect) can implement this interface to keep the guarantee
/// across restarts and server instances.</para>
/// <para>Rules every implementation keeps: for one id, at most one claim is owned at a time; a completed acceptance is
/// final; a completed rejection is final for its attempt and earlier ones, and a later attempt (a user's retry) may
/// claim the id again; the same id with a different command never runs.</para>
/// <para>Thread safety: implementations must allow concurrent calls, including for the same id.</para>
/// </remarks>
public interface IEditLedger<TCommand>
{
    /// <summary>Claims an incoming edit: the caller owns the run, or gets the outcome of the run that does (see <see cref="EditClaim"/>).</summary>
    /// <param name="id">The edit id.</param>
    /// <param name="attempt">The client's attempt number, at least 1.</param>
    /// <param name="command">The command, compared with the command first recorded for the id.</param>
    /// <param name="cancellationToken">Cancels the claim.</param>
    /// <returns>The claim.</returns>
    ValueTask<EditClaim> ClaimAsync(EditId id, int attempt, TCommand command, CancellationToken cancellationToken);

    /// <summary>Records the outcome of an owned run; the claim's outcome, and every joined one, completes with it.</summary>
    /// <param name="id">The edit id.</param>
    /// <param name="attempt">The attempt the owned claim was made for.</param>
    /// <param name="outcome">The outcome.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the outcome is recorded.</returns>
    ValueTask CompleteAsync(EditId id, int attempt, EditOutcome outcome, CancellationToken cancellationToken);

    /// <summary>Forgets an owned run whose outcome is unknown (e.g. the server is shutting down): the claim's outcome is cancelled and the id may be claimed again.</summary>
    /// <param name="id">The edit id.</param>
    /// <param name="attempt">The attempt the owned claim was made for.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the run is forgotten.</returns>
    ValueTask AbandonAsync(EditId id, int attempt, CancellationToken cancellationToken);
}
