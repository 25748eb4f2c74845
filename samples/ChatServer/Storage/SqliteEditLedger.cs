using ChatServer.Shared.Protocol;
using Microsoft.Data.Sqlite;
using Reactive.Edits;
using Reactive.Edits.Remote;

namespace ChatServer.Storage;

/// <summary>The ledger of the chat's edits (sends, edits and deletions of messages) kept in its SQLite database, so that
/// a resend after a restart has one effect and gets the first outcome.</summary>
/// <remarks>
/// <para>Where each outcome lives: an <b>accepted</b> send is its row in <c>messages</c> (written by
/// <see cref="SqliteMessageStore.Append"/> in the message's own transaction, before the ack), an accepted edit or
/// deletion its row in <c>message_edits</c> (written with its effect); a <b>rejected</b> attempt
/// is a row in <c>edit_rejections</c>, written by <see cref="CompleteAsync"/> before the reject is sent; a run <b>in
/// progress</b> lives only in memory (a crash mid-run committed nothing, so the resend runs it again).</para>
/// <para>Rules of <see cref="IEditLedger{TCommand}"/>: a resend joins the run in progress or gets the recorded outcome;
/// a later attempt after a rejection runs again; the same id with another command (<see cref="EditFingerprint"/>) is refused with
/// <see cref="RemoteErrorCodes.ConflictingCommand"/>. Entries are kept as long as the messages (no expiry).</para>
/// <para>Thread safety: every member may be called from any thread; one lock guards the runs in progress and their
/// lookups, and outcomes complete outside it.</para>
/// </remarks>
public sealed class SqliteEditLedger<TCommand>(SqliteChatDatabase database) : IEditLedger<TCommand>
    where TCommand : ChatCommand
{
    private readonly object _gate = new();
    private readonly Dictionary<EditId, Run> _running = [];

    /// <inheritdoc/>
    public ValueTask<EditClaim> ClaimAsync(EditId id, int attempt, TCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var fingerprint = EditFingerprint.Of(command);
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_running.TryGetValue(id, out var running))
            {
                return new(running.Fingerprint == fingerprint ? new EditClaim(isOwner: false, running.Outcome.Task) : Conflict());
            }
            var recorded = database.Use(connection => Find(connection, id));
            if (recorded is { IsAccepted: true })
            {
                return new(recorded.Matches(fingerprint) ? Known(EditOutcome.Accepted) : Conflict());
            }
            if (recorded is { } rejected && attempt <= rejected.Attempt)
            {
                return new(rejected.Matches(fingerprint) ? Known(EditOutcome.Rejected(rejected.Error!)) : Conflict());
            }
            // New, or a user's retry of a rejected attempt (which may carry corrected text): this caller runs it.
            var run = new Run(attempt, fingerprint);
            _running.Add(id, run);
            return new(new EditClaim(isOwner: true, run.Outcome.Task));
        }
    }

    /// <inheritdoc/>
    /// <remarks>An acceptance is already durable (the message row); a rejection is written here, before the reject is
    /// sent. If that write fails, the run's outcome still completes (for the resends that joined it) and the failure is
    /// thrown to the server, which answers the outcome regardless and raises <see cref="RemoteEditServer.LedgerFailed"/>.</remarks>
    public ValueTask CompleteAsync(EditId id, int attempt, EditOutcome outcome, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var run = TakeRun(id, attempt);
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
                run.Outcome.TrySetResult(outcome);
            }
        }
        return ValueTask.CompletedTask;
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

    private Run TakeRun(EditId id, int attempt)
    {
        if (!_running.TryGetValue(id, out var run) || run.Attempt != attempt)
        {
            throw new InvalidOperationException($"No run of edit {id} attempt {attempt} is in progress.");
        }
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
