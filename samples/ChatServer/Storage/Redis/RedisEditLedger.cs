using ChatServer.Shared.Protocol;
using Reactive.Edits;
using Reactive.Edits.Remote;

namespace ChatServer.Storage.Redis;

/// <summary>The ledger of one kind of edit (a send, an edit or a deletion of a message) kept in Redis beside the room's
/// messages (<see cref="RedisMessageLog"/>), so that a resend to any node, or after any restart, has one effect and gets
/// the first outcome.</summary>
/// <typeparam name="TCommand">The command type; every kind shares the room's one ledger hash, each id compared by its
/// command's fingerprint (<see cref="EditFingerprint"/>), so an id reused for another kind is a conflict.</typeparam>
/// <remarks>
/// <para>Where each outcome lives: an <b>accepted</b> edit is recorded by <see cref="RedisMessageLog.AppendAsync"/> or
/// <see cref="RedisMessageLog.ChangeAsync"/>, in the same script that writes its effect, before the ack; a <b>rejected</b> attempt is recorded by
/// <see cref="CompleteAsync"/> before the reject is sent; a run <b>in progress</b> lives only in this node's memory (a
/// crash mid-run stored nothing, or stored the message, which a resend then gets).</para>
/// <para>Across nodes the append script is the arbiter: two nodes that both run the same edit (a resend reached the
/// second while the first was running it) store one message, and both answer with it. A rejection is never recorded
/// over an acceptance; if one node rejects an attempt that another accepts at the same moment, each answers its own
/// outcome and the ledger keeps the acceptance.</para>
/// <para>Rules of <see cref="IEditLedger{TCommand}"/>, as <see cref="SqliteEditLedger"/> keeps them: a resend joins the
/// run in progress on this node or gets the recorded outcome; a later attempt after a rejection runs again; the same id
/// with a different command is refused with <see cref="RemoteErrorCodes.ConflictingCommand"/>.</para>
/// <para>While Redis is away, a claim waits through <paramref name="retry"/> (the edit stays pending for its client, and
/// runs once Redis is back), and a rejection record throws <see cref="StorageUnavailableException"/> (the server
/// answers the rejection regardless).</para>
/// <para>Thread safety: every member may be called from any thread; one lock guards the runs in progress, and Redis is
/// called outside it.</para>
/// </remarks>
/// <param name="log">The room's log, whose ledger this is.</param>
/// <param name="retry">How a lookup waits while Redis is away.</param>
public sealed class RedisEditLedger<TCommand>(RedisMessageLog log, RedisOutageRetry retry) : IEditLedger<TCommand>
    where TCommand : ChatCommand
{
    private readonly object _gate = new();
    private readonly Dictionary<EditId, Run> _running = [];
    // The ids being looked up in Redis, with a count of their completions here: a claim whose lookup raced with the
    // completion of a run of the same id looks again, since the answer it got may predate that run's record.
    private readonly Dictionary<EditId, Lookup> _lookups = [];

    /// <inheritdoc/>
    public async ValueTask<EditClaim> ClaimAsync(EditId id, int attempt, TCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var fingerprint = EditFingerprint.Of(command);
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Lookup lookup;
            long completions;
            lock (_gate)
            {
                if (TryJoin(id, fingerprint, out var joined))
                {
                    return joined;
                }
                if (!_lookups.TryGetValue(id, out lookup!))
                {
                    lookup = new Lookup();
                    _lookups.Add(id, lookup);
                }
                lookup.Callers++;
                completions = lookup.Completions;
            }
            RedisEditStanding standing;
            try
            {
                standing = await retry.RunAsync(() => log.FindEditAsync(id.Value, attempt, fingerprint), cancellationToken);
            }
            catch
            {
                lock (_gate)
                {
                    EndLookup(id, lookup);
                }
                throw;
            }
            lock (_gate)
            {
                EndLookup(id, lookup);
                if (TryJoin(id, fingerprint, out var joined))
                {
                    return joined;
                }
                if (completions != lookup.Completions)
                {
                    // A run completed here while Redis was asked: its outcome may be what the answer missed.
                    continue;
                }
                if (standing.Recorded is { } recorded)
                {
                    return Known(recorded);
                }
                // New, or a user's retry of a rejected attempt (which may carry corrected text): this caller runs it.
                var run = new Run(attempt, fingerprint);
                _running.Add(id, run);
                return new EditClaim(isOwner: true, run.Outcome.Task);
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>An acceptance is already recorded (by the append); a rejection is written here, before the reject is
    /// sent. If that write fails, the run's outcome still completes (for the resends that joined it) and the failure is
    /// thrown to the server, which answers the outcome regardless and raises <see cref="RemoteEditServer.LedgerFailed"/>.</remarks>
    public async ValueTask CompleteAsync(EditId id, int attempt, EditOutcome outcome, CancellationToken cancellationToken)
    {
        Run run;
        lock (_gate)
        {
            run = FindRun(id, attempt);
        }
        try
        {
            if (outcome.Error is { } error)
            {
                await log.RecordRejectionAsync(id.Value, attempt, run.Fingerprint, error);
            }
        }
        finally
        {
            // The run stays joinable until its outcome is recorded, so that a resend meanwhile does not run it again.
            lock (_gate)
            {
                _running.Remove(id);
                if (_lookups.TryGetValue(id, out var lookup))
                {
                    lookup.Completions++;
                }
            }
            // Even when the record failed (Redis away): the outcome is known, and resends that joined the run wait for it.
            run.Outcome.TrySetResult(outcome);
        }
    }

    /// <inheritdoc/>
    public ValueTask AbandonAsync(EditId id, int attempt, CancellationToken cancellationToken)
    {
        Run run;
        lock (_gate)
        {
            run = FindRun(id, attempt);
            _running.Remove(id);
        }
        run.Outcome.TrySetCanceled(CancellationToken.None);
        return ValueTask.CompletedTask;
    }

    private static EditClaim Known(EditOutcome outcome) => new(isOwner: false, Task.FromResult(outcome));

    // Under the gate: a resend of a run in progress on this node joins it (or conflicts with it).
    private bool TryJoin(EditId id, string fingerprint, out EditClaim claim)
    {
        if (!_running.TryGetValue(id, out var running))
        {
            claim = default;
            return false;
        }
        claim = string.Equals(running.Fingerprint, fingerprint, StringComparison.Ordinal)
            ? new EditClaim(isOwner: false, running.Outcome.Task)
            : Known(RedisEditStanding.Conflict);
        return true;
    }

    // Under the gate.
    private void EndLookup(EditId id, Lookup lookup)
    {
        if (--lookup.Callers == 0)
        {
            _lookups.Remove(id);
        }
    }

    private Run FindRun(EditId id, int attempt) =>
        _running.TryGetValue(id, out var run) && run.Attempt == attempt
            ? run
            : throw new InvalidOperationException($"No run of edit {id} attempt {attempt} is in progress.");

    private sealed class Lookup
    {
        public int Callers { get; set; }

        public long Completions { get; set; }
    }

    private sealed class Run(int attempt, string fingerprint)
    {
        public int Attempt { get; } = attempt;

        public string Fingerprint { get; } = fingerprint;

        public TaskCompletionSource<EditOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
