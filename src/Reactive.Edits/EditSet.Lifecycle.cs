using Reactive.Edits.ChangeSets;

namespace Reactive.Edits;

// The lifecycle transitions and the policy mechanism. Every method here runs inside a mutation of the source, i.e.
// under its gate, so the fields below need no locking of their own.
public sealed partial class EditSet<T>
{
    private readonly Queue<(EditId Id, int Attempt)> _waiting = new();
    private readonly HashSet<EditId>? _started;
    private int _startedCount;
    private long _sequence;

    private enum Admission
    {
        Start,
        Wait,
        Refuse,
    }

    private Edit<T>? RequestCore(KeyedSource<Edit<T>, EditId>.Updater updater, T value)
    {
        var id = EditId.New();
        var admission = Admit(updater, id, attempt: 1);
        if (admission == Admission.Refuse)
        {
            _metrics.Refused();
            return null;
        }

        var now = Scheduler.Now;
        var edit = new Edit<T>(new EditToken(this, id, attempt: 1), value, EditStatus.Pending, error: null, admission == Admission.Start, ++_sequence, now, now);
        updater.AddOrUpdate(edit);
        _metrics.Requested();
        return edit;
    }

    private Edit<T>? RestoreCore(KeyedSource<Edit<T>, EditId>.Updater updater, EditId id, T value, int attempt, DateTimeOffset requestedAt, Exception? error)
    {
        if (updater.TryGetValue(id, out _))
        {
            return null;
        }

        var token = new EditToken(this, id, attempt);
        var started = false;
        if (error is not null)
        {
            // A rejected edit has no live attempt: its token is spent until a retry issues the next one.
            token.TrySpend();
        }
        else if (_startedCount < Policy.MaxInFlight)
        {
            MarkStarted(id);
            started = true;
        }
        else
        {
            // Never refused, never superseding: restored input waits its turn instead of being lost.
            _waiting.Enqueue((id, attempt));
        }

        var edit = new Edit<T>(token, value, error is null ? EditStatus.Pending : EditStatus.Rejected, error, started, ++_sequence, requestedAt, Scheduler.Now, isRestored: true);
        updater.AddOrUpdate(edit);
        return edit;
    }

    private Edit<T>? RetryCore(KeyedSource<Edit<T>, EditId>.Updater updater, EditId id, bool hasValue, T value)
    {
        if (!updater.TryGetValue(id, out var edit) || edit.Status != EditStatus.Rejected)
        {
            return null;
        }

        var attempt = edit.Attempt + 1;
        var admission = Admit(updater, id, attempt);
        if (admission == Admission.Refuse)
        {
            _metrics.Refused();
            return null;
        }

        var retried = edit.With(new EditToken(this, id, attempt), hasValue ? value : edit.Value, EditStatus.Pending, error: null, admission == Admission.Start, Scheduler.Now);
        updater.AddOrUpdate(retried);
        _metrics.Retried();
        return retried;
    }

    private bool DiscardCore(KeyedSource<Edit<T>, EditId>.Updater updater, EditId id)
    {
        if (!updater.TryGetValue(id, out var edit) || edit.Status != EditStatus.Rejected)
        {
            return false;
        }

        updater.Remove(id, edit.With(EditStatus.Discarded, edit.Error));
        _metrics.Discarded();
        return true;
    }

    private EditCancellation CancelCore(KeyedSource<Edit<T>, EditId>.Updater updater, EditId id)
    {
        if (!updater.TryGetValue(id, out var edit) || edit.Status != EditStatus.Pending || !edit.Token.TrySpend())
        {
            return EditCancellation.NotCancelled;
        }

        End(updater, edit, EditStatus.Cancelled, error: null);
        // An earlier run may have sent a restored edit, so only an edit of this run that never started had no effect.
        return edit.IsStarted || edit.IsRestored ? EditCancellation.AfterStart : EditCancellation.BeforeStart;
    }

    private bool SettleCore(KeyedSource<Edit<T>, EditId>.Updater updater, EditToken token, EditStatus outcome, Exception? error)
    {
        // The token's own compare-and-swap already made this the first spend; the identity check guards against a
        // token that is not the current attempt's (which cannot be live, but costs one comparison to be sure of).
        if (!updater.TryGetValue(token.EditId, out var edit) || !ReferenceEquals(edit.Token, token) || edit.Status != EditStatus.Pending)
        {
            return false;
        }

        End(updater, edit, outcome, error);
        return true;
    }

    private bool CancelAll(KeyedSource<Edit<T>, EditId>.Updater updater)
    {
        foreach (var edit in updater.Snapshot())
        {
            if (edit.Status == EditStatus.Pending && edit.Token.TrySpend())
            {
                End(updater, edit, EditStatus.Cancelled, error: null);
            }
        }

        _waiting.Clear();
        return true;
    }

    // Ends the current attempt of a pending edit whose token has been spent, and lets waiting edits start.
    private void End(KeyedSource<Edit<T>, EditId>.Updater updater, Edit<T> edit, EditStatus outcome, Exception? error)
    {
        if (outcome is EditStatus.Cancelled or EditStatus.Superseded)
        {
            edit.Token.RequestCancellation();
        }

        var ended = edit.With(outcome, error);
        if (outcome == EditStatus.Rejected)
        {
            updater.AddOrUpdate(ended);
        }
        else
        {
            updater.Remove(edit.Id, ended);
        }

        _metrics.Settled(outcome, error, edit.AttemptRequestedAt, Scheduler);
        if (edit.IsStarted)
        {
            _startedCount--;
            _started?.Remove(edit.Id);
            StartWaiting(updater);
        }
    }

    // The one policy mechanism: a limit on started edits, and an overflow rule for requests beyond it.
    private Admission Admit(KeyedSource<Edit<T>, EditId>.Updater updater, EditId id, int attempt)
    {
        if (_startedCount < Policy.MaxInFlight)
        {
            MarkStarted(id);
            return Admission.Start;
        }

        switch (Policy.Overflow)
        {
            case EditOverflow.Refuse:
                return Admission.Refuse;

            case EditOverflow.SupersedeInFlight:
                SupersedeWaiting(updater);
                foreach (var startedId in _started!.ToArray())
                {
                    if (updater.TryGetValue(startedId, out var started) && started.Token.TrySpend())
                    {
                        End(updater, started, EditStatus.Superseded, error: null);
                    }
                }

                // A token being spent on another thread right now could not be superseded: it settles as it was
                // going to, and for that moment one more edit than the limit is in flight.
                MarkStarted(id);
                return Admission.Start;

            case EditOverflow.SupersedeWaiting:
                SupersedeWaiting(updater);
                _waiting.Enqueue((id, attempt));
                return Admission.Wait;

            default:
                _waiting.Enqueue((id, attempt));
                return Admission.Wait;
        }
    }

    private void MarkStarted(EditId id)
    {
        _startedCount++;
        _started?.Add(id);
    }

    private void StartWaiting(KeyedSource<Edit<T>, EditId>.Updater updater)
    {
        while (_startedCount < Policy.MaxInFlight && _waiting.TryDequeue(out var entry))
        {
            if (TryGetWaiting(updater, entry, out var edit))
            {
                MarkStarted(edit.Id);
                updater.AddOrUpdate(edit.Started());
            }
        }
    }

    private void SupersedeWaiting(KeyedSource<Edit<T>, EditId>.Updater updater)
    {
        while (_waiting.TryDequeue(out var entry))
        {
            if (TryGetWaiting(updater, entry, out var edit) && edit.Token.TrySpend())
            {
                End(updater, edit, EditStatus.Superseded, error: null);
            }
        }
    }

    // Queue entries go stale when their edit settles while waiting; they are skipped rather than searched for.
    private static bool TryGetWaiting(KeyedSource<Edit<T>, EditId>.Updater updater, (EditId Id, int Attempt) entry, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Edit<T> edit) =>
        updater.TryGetValue(entry.Id, out edit) && edit.Status == EditStatus.Pending && !edit.IsStarted && edit.Attempt == entry.Attempt;
}
