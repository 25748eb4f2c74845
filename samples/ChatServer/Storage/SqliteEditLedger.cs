using ChatServer.Shared.Protocol;
using Microsoft.Data.Sqlite;
using Reactive.Edits;
using Reactive.Edits.Remote;

namespace ChatServer.Storage;

/// <summary>The ledger of the chat's edits (sends, edits and deletions of messages) kept in its SQLite database, so that
/// a resend after a restart has one effect and gets the first outcome.</summary>
/// <remarks>
/// <para>Where each outcome lives: an <b>accepted</b> send is its row in <c>messages</c> (written by
/// <see cref="SqliteMessageStore.Append"/> in its group's transaction, before the ack), an accepted edit or
/// deletion its row in <c>message_edits</c> (written with its effect); a <b>rejected</b> attempt
/// is a row in <c>edit_rejections</c>, written by <see cref="CompleteAsync"/> before the reject is sent; a run <b>in
/// progress</b> lives only in memory (a crash mid-run committed nothing, so the resend runs it again).</para>
/// <para>Rules of <see cref="IEditLedger{TCommand}"/>: a resend joins the run in progress or gets the recorded outcome;
/// a later attempt after a rejection runs again; the same id with another command (<see cref="EditFingerprint"/>) is refused with
/// <see cref="RemoteErrorCodes.ConflictingCommand"/>. Entries are kept as long as the messages (no expiry).</para>
/// <para>Thread safety: every member may be called from any thread; one lock guards the runs in progress, and neither
/// the database nor an outcome is touched under it.</para>
/// </remarks>
public sealed class SqliteEditLedger<TCommand>(SqliteChatDatabase database) : IEditLedger<TCommand>
    where TCommand : ChatCommand
{
    private readonly object _gate = new();
    private readonly Dictionary<EditId, Run> _running = [];

    /// <inheritdoc/>
    /// <remarks>The database is read outside the ledger's lock, so that a claim never holds the lock while another
    /// write (a message's commit and its fsync) holds the database: the acks and claims of every other edit would wait
    /// behind it. The id is reserved first, and a claim of the same id meanwhile waits for the read and then claims again,
    /// so every claim still decides as if the claims of one id ran one after another.</remarks>
    public async ValueTask<EditClaim> ClaimAsync(EditId id, int attempt, TCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var fingerprint = EditFingerprint.Of(command);
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        cancellationToken.ThrowIfCancellationRequested();
        while (true)
        {
            Task? lookedUp = null;
            Run? reserved = null;
            lock (_gate)
            {
                if (!_running.TryGetValue(id, out var running))
                {
                    reserved = new Run(attempt, fingerprint);
                    _running.Add(id, reserved);
                }
                else if (running.IsLookingUp)
                {
                    lookedUp = (running.LookedUp ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                }
                else
                {
                    return running.Fingerprint == fingerprint ? new EditClaim(isOwner: false, running.Outcome.Task) : Conflict();
                }
            }

            if (lookedUp is not null)
            {
                await lookedUp.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            return ClaimReserved(id, attempt, fingerprint, reserved!);
        }
    }

    /// <inheritdoc/>
    /// <remarks>An acceptance is already durable (the message row); a rejection is written here, before the reject is
    /// sent, outside the ledger's lock (the run stays in progress meanwhile, so a resend joins it). If that write fails,
    /// the run's outcome still completes (for the resends that joined it) and the failure is thrown to the server, which
    /// answers the outcome regardless and raises <see cref="RemoteEditServer.LedgerFailed"/>.</remarks>
    public ValueTask CompleteAsync(EditId id, int attempt, EditOutcome outcome, CancellationToken cancellationToken)
    {
        Run run;
        lock (_gate)
        {
            run = RunOf(id, attempt);
        }
        try
        {
            if (outcome.Error is { } error)
            {
                database.Write(connection => RecordRejection(connection, id, attempt, run.Fingerprint, error));
            }
        }
        finally
        {
            // Even when the record failed (a full disk): the outcome is known, and resends that joined the run wait for it.
            lock (_gate)
            {
                TakeRun(id, attempt);
            }
            run.Outcome.TrySetResult(outcome);
        }
        return ValueTask.CompletedTask;
    }

    // Decides a claim from what the database holds, with the id reserved: the caller runs the edit, or gets the outcome
    // recorded (the reservation is then dropped). Claims of the same id that waited meanwhile claim again.
    private EditClaim ClaimReserved(EditId id, int attempt, string fingerprint, Run reserved)
    {
        EditClaim? known = null;
        try
        {
            var recorded = database.Read(connection => Find(connection, id));
            if (recorded is { IsAccepted: true })
            {
                known = recorded.Matches(fingerprint) ? Known(EditOutcome.Accepted) : Conflict();
            }
            else if (recorded is { } rejected && attempt <= rejected.Attempt)
            {
                known = rejected.Matches(fingerprint) ? Known(EditOutcome.Rejected(rejected.Error!)) : Conflict();
            }
        }
        catch
        {
            // The read failed: the id is free again, and the failure is the server's to report.
            EndLookUp(id, reserved, keep: false);
            throw;
        }

        // New, or a user's retry of a rejected attempt (which may carry corrected text): this caller runs it.
        EndLookUp(id, reserved, keep: known is null);
        return known ?? new EditClaim(isOwner: true, reserved.Outcome.Task);
    }

    // Ends the reservation's look-up: the run stays (its claimer runs it) or goes; the claims that waited try again.
    private void EndLookUp(EditId id, Run reserved, bool keep)
    {
        TaskCompletionSource? waiting;
        lock (_gate)
        {
            reserved.IsLookingUp = false;
            waiting = reserved.LookedUp;
            if (!keep)
            {
                _running.Remove(id);
            }
        }
        waiting?.TrySetResult();
    }

    /// <inheritdoc/>
    public ValueTask AbandonAsync(EditId id, int attempt, CancellationToken cancellationToken)
    {
        Run run;
        lock (_gate)
        {
            run = TakeRun(id, attempt);
        }
        run.Outcome.TrySetCanceled(CancellationToken.None);
        return ValueTask.CompletedTask;
    }

    private static EditClaim Known(EditOutcome outcome) => new(isOwner: false, Task.FromResult(outcome));

    private static EditClaim Conflict() =>
        Known(EditOutcome.Rejected(new RemoteError(RemoteErrorCodes.ConflictingCommand, "This edit id was already used with a different command.")));

    private Run RunOf(EditId id, int attempt)
    {
        if (!_running.TryGetValue(id, out var run) || run.Attempt != attempt || run.IsLookingUp)
        {
            throw new InvalidOperationException($"No run of edit {id} attempt {attempt} is in progress.");
        }
        return run;
    }

    private Run TakeRun(EditId id, int attempt)
    {
        var run = RunOf(id, attempt);
        _running.Remove(id);
        return run;
    }

    private static Recorded? Find(SqliteConnection connection, EditId id)
    {
        using var select = connection.CreateCommand();
        select.CommandText = """
            SELECT 0, CASE WHEN sent_text_sha256 IS NULL THEN text END, sent_text_sha256, NULL, NULL, NULL FROM messages WHERE id = $id
            UNION ALL
            SELECT 0, fingerprint, NULL, NULL, NULL, NULL FROM message_edits WHERE id = $id
            UNION ALL
            SELECT attempt, text, NULL, code, message, 1 FROM edit_rejections WHERE id = $id
            LIMIT 1;
            """;
        select.Parameters.AddWithValue("$id", SqliteEditLedger.Key(id.Value));
        using var reader = select.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }
        var fingerprint = reader.IsDBNull(1) ? null : reader.GetString(1);
        var sentTextHash = reader.IsDBNull(2) ? null : reader.GetString(2);
        return reader.IsDBNull(5)
            ? new Recorded(0, fingerprint, sentTextHash, null)
            : new Recorded(reader.GetInt32(0), fingerprint, null, new RemoteError(reader.GetString(3), reader.GetString(4)));
    }

    // The rejection's command is kept as its fingerprint, in the column named text since version 1 (a send's fingerprint is its text).
    private static bool RecordRejection(SqliteConnection connection, EditId id, int attempt, string fingerprint, RemoteError error)
    {
        using var upsert = connection.CreateCommand();
        upsert.CommandText = """
            INSERT INTO edit_rejections (id, attempt, text, code, message) VALUES ($id, $attempt, $text, $code, $message)
            ON CONFLICT (id) DO UPDATE SET attempt = excluded.attempt, text = excluded.text, code = excluded.code, message = excluded.message;
            """;
        upsert.Parameters.AddWithValue("$id", SqliteEditLedger.Key(id.Value));
        upsert.Parameters.AddWithValue("$attempt", attempt);
        upsert.Parameters.AddWithValue("$text", fingerprint);
        upsert.Parameters.AddWithValue("$code", error.Code);
        upsert.Parameters.AddWithValue("$message", error.Message);
        return upsert.ExecuteNonQuery() == 1;
    }

    // What the database holds for an id: the command's fingerprint, or (a send whose text has since been edited or
    // erased) the hash of the text it was sent with.
    private sealed record Recorded(int Attempt, string? Fingerprint, string? SentTextHash, RemoteError? Error)
    {
        public bool IsAccepted => Error is null;

        public bool Matches(string fingerprint) => SentTextHash is { } hash
            ? string.Equals(hash, EditFingerprint.Hash(fingerprint), StringComparison.Ordinal)
            : string.Equals(Fingerprint, fingerprint, StringComparison.Ordinal);
    }

    private sealed class Run(int attempt, string fingerprint)
    {
        public int Attempt { get; } = attempt;

        public string Fingerprint { get; } = fingerprint;

        public TaskCompletionSource<EditOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // Set while its claimer reads the database; a claim of the same id meanwhile waits on LookedUp (made on demand).
        public bool IsLookingUp { get; set; } = true;

        public TaskCompletionSource? LookedUp { get; set; }
    }
}

/// <summary>How the chat's SQLite tables spell ids.</summary>
public static class SqliteEditLedger
{
    /// <summary>Returns how an edit id (or a message id, which is its send's edit id) is stored in the database.</summary>
    /// <param name="id">The id.</param>
    /// <returns>Its canonical text.</returns>
    internal static string Key(Guid id) => id.ToString("D");
}
