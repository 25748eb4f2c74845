using System.Reactive.Linq;
using Reactive.Edits.ChangeSets;

namespace Reactive.Edits;

// The streams derived from the one change-set stream: counts, busy, started attempts and lifecycle events.
public sealed partial class EditSet<T>
{
    /// <summary>Gets the counts by state: a first value on subscribe, then one per change set that changes them.</summary>
    /// <remarks>Derived incrementally from <see cref="Connect()"/>: the cost of a change does not grow with the size of the set.</remarks>
    public IObservable<EditCounts> Counts { get; }

    /// <summary>Gets whether any edit is pending: a first value on subscribe, then every change of it.</summary>
    /// <remarks>
    /// Distinct, and without a false blip: when one edit settles and another starts in the same policy step (a queued
    /// edit starting, a latest-wins supersede) the set is never seen idle in between. Queries (page loads, history
    /// fetches) are not edits and never make the set busy.
    /// </remarks>
    public IObservable<bool> IsBusy { get; }

    /// <summary>Gets the number of pending edits: a first value on subscribe, then every change of it.</summary>
    public IObservable<int> PendingCount { get; }

    /// <summary>Gets the attempts to commit: each pending edit whose current attempt the policy has started.</summary>
    /// <remarks>
    /// <para>On subscribe it first replays the attempts that are started and not yet settled, so a committer attached
    /// late, or re-attached after a reconnect, picks up the work in flight; then it streams each attempt as it starts
    /// (a request admitted at once, a waiting edit reaching the front, a retry).</para>
    /// <para>Attach one committer per set: each subscriber receives every attempt.</para>
    /// </remarks>
    public IObservable<Edit<T>> Started { get; }

    /// <summary>Gets the lifecycle steps of every edit from the time of subscription on (no replay).</summary>
    public IObservable<EditEvent<T>> Events { get; }

    private IObservable<EditCounts> CreateCounts() =>
        _source.Connect(ReplayMode.Always)
            .Scan(EditCounts.Zero, static (counts, changes) => Apply(counts, changes))
            .DistinctUntilChanged();

    private IObservable<bool> CreateIsBusy() => Counts.Select(static counts => counts.IsBusy).DistinctUntilChanged();

    private IObservable<int> CreatePendingCount() => Counts.Select(static counts => counts.Pending).DistinctUntilChanged();

    private IObservable<Edit<T>> CreateStarted() =>
        Observable.Create<Edit<T>>(observer => _source.Connect().Subscribe(
            changes =>
            {
                foreach (var change in changes)
                {
                    if (IsNewAttemptStarted(change))
                    {
                        observer.OnNext(change.Current);
                    }
                }
            },
            observer.OnError,
            observer.OnCompleted));

    private IObservable<EditEvent<T>> CreateEvents() =>
        Observable.Create<EditEvent<T>>(observer => _source.Connect(ReplayMode.None).Subscribe(
            changes =>
            {
                foreach (var change in changes)
                {
                    Report(change, observer);
                }
            },
            observer.OnError,
            observer.OnCompleted));

    private static EditCounts Apply(EditCounts counts, IChangeSet<Edit<T>, EditId> changes)
    {
        foreach (var change in changes)
        {
            switch (change.Reason)
            {
                case ChangeReason.Add:
                    counts = Add(counts, change.Current, 1);
                    break;
                case ChangeReason.Update:
                    counts = Add(Add(counts, change.Previous!, -1), change.Current, 1);
                    break;
                case ChangeReason.Remove:
                    // Edit-set removals carry the terminal snapshot as Current and the one that was counted as Previous.
                    counts = Add(counts, change.HasPrevious ? change.Previous! : change.Current, -1);
                    break;
            }
        }

        return counts;
    }

    private static EditCounts Add(EditCounts counts, Edit<T> edit, int sign) => edit.Status switch
    {
        EditStatus.Pending => counts with
        {
            Pending = counts.Pending + sign,
            Waiting = edit.IsStarted ? counts.Waiting : counts.Waiting + sign,
        },
        EditStatus.Rejected => counts with { Rejected = counts.Rejected + sign },
        _ => counts,
    };

    private static bool IsNewAttemptStarted(in Change<Edit<T>, EditId> change)
    {
        var current = change.Current;
        if (change.Reason is not (ChangeReason.Add or ChangeReason.Update) || current.Status != EditStatus.Pending || !current.IsStarted)
        {
            return false;
        }

        var previous = change.Previous;
        return change.Reason == ChangeReason.Add
            || previous is null
            || previous.Status != EditStatus.Pending
            || !previous.IsStarted
            || previous.Attempt != current.Attempt;
    }

    private static void Report(in Change<Edit<T>, EditId> change, IObserver<EditEvent<T>> observer)
    {
        var current = change.Current;
        switch (change.Reason)
        {
            case ChangeReason.Add:
                observer.OnNext(new EditEvent<T>(current.IsRestored ? EditEventKind.Restored : EditEventKind.Requested, current));
                if (current.IsStarted)
                {
                    observer.OnNext(new EditEvent<T>(EditEventKind.Started, current));
                }

                break;

            case ChangeReason.Update:
                var previous = change.Previous!;
                if (current.Status == EditStatus.Rejected && previous.Status == EditStatus.Pending)
                {
                    observer.OnNext(new EditEvent<T>(EditEventKind.Rejected, current));
                }
                else if (current.Status == EditStatus.Pending && previous.Status == EditStatus.Rejected)
                {
                    observer.OnNext(new EditEvent<T>(EditEventKind.Retried, current));
                    if (current.IsStarted)
                    {
                        observer.OnNext(new EditEvent<T>(EditEventKind.Started, current));
                    }
                }
                else if (IsNewAttemptStarted(change))
                {
                    observer.OnNext(new EditEvent<T>(EditEventKind.Started, current));
                }

                break;

            case ChangeReason.Remove:
                var kind = current.Status switch
                {
                    EditStatus.Accepted => EditEventKind.Accepted,
                    EditStatus.Superseded => EditEventKind.Superseded,
                    EditStatus.Discarded => EditEventKind.Discarded,
                    _ => EditEventKind.Cancelled,
                };
                observer.OnNext(new EditEvent<T>(kind, current));
                break;
        }
    }
}
