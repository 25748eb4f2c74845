using Reactive.Edits;
using Reactive.Edits.Remote;

namespace ChatServer.Storage;

/// <summary>An edit ledger that does not record refusals: edits rejected by validation before they ran (not logged in,
/// empty, too long, rate limited) are answered but leave nothing behind, in the database or in memory.</summary>
/// <remarks>
/// <para>Why: a refusal is what an attacker can produce at wire speed, without logging in, with the largest text a
/// frame holds. Recording each one (its text, and an fsync under the database's lock) let one anonymous socket grow the
/// database by 21.5 MB in 0.6 s (issue 13). Idempotency keys work the same way elsewhere: Stripe saves no result for a
/// request that failed validation, "because no API endpoint began execution".</para>
/// <para>What it changes: the owner of the run still gets the rejection and answers it; the run is then abandoned in
/// the inner ledger instead of completed, so the id may be claimed again and a resend of the same attempt is validated
/// again (with an answer that may differ, e.g. once the rate window has passed; a client resends an attempt only while
/// it has no answer, so it sees one outcome). A resend that joined the run while it was in progress gets no answer and
/// resends later. Every other outcome — an acceptance, a rejection after the edit ran (a demo failure, a handler
/// failure) — is recorded as before; those cost the sender a place in its rate first, so they grow the store no faster
/// than messages do.</para>
/// <para>The chat also passes <c>chat.storage-unavailable</c> among the codes: such a send was not stored (its database
/// file gone or its disk full), so it had no effect, and its retry must run again rather than get the old rejection.</para>
/// <para>Thread safety: as the inner ledger.</para>
/// </remarks>
/// <typeparam name="TCommand">The type of the edits' commands.</typeparam>
/// <param name="inner">The ledger that records everything else.</param>
/// <param name="refusalCodes">The codes of rejections made before the edit ran.</param>
public sealed class RefusalSkippingLedger<TCommand>(IEditLedger<TCommand> inner, IReadOnlySet<string> refusalCodes) : IEditLedger<TCommand>
{
    /// <inheritdoc/>
    public ValueTask<EditClaim> ClaimAsync(EditId id, int attempt, TCommand command, CancellationToken cancellationToken) =>
        inner.ClaimAsync(id, attempt, command, cancellationToken);

    /// <inheritdoc/>
    public ValueTask CompleteAsync(EditId id, int attempt, EditOutcome outcome, CancellationToken cancellationToken) =>
        outcome.Error is { } error && refusalCodes.Contains(error.Code)
            ? inner.AbandonAsync(id, attempt, cancellationToken)
            : inner.CompleteAsync(id, attempt, outcome, cancellationToken);

    /// <inheritdoc/>
    public ValueTask AbandonAsync(EditId id, int attempt, CancellationToken cancellationToken) =>
        inner.AbandonAsync(id, attempt, cancellationToken);
}
