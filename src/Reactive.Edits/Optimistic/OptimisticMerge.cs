using System.Reactive;
using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Runtime.InteropServices;
using Reactive.Edits.ChangeSets;

namespace Reactive.Edits.Optimistic;

/// <summary>Merges an authoritative change-set stream with an edit set into the view the user sees; see <see cref="OptimisticObservable"/>.</summary>
/// <remarks>
/// <para>
/// All state is per key: a change touches only the keys it names, and recomputing a key costs the number of edits on
/// that key, whatever the size of the view.
/// </para>
/// <para>
/// Only the keys that have edits have state: their authoritative item (the base of any later prediction) and what is
/// shown. A key without edits shows its authoritative item as it is, so an authoritative change to it is published
/// straight through: one equality test, and nothing stored that outlives the notification. In a large view that
/// matters more than the work itself: every object a change leaves behind in a big table survives the next collection
/// and is copied into the older generations, so the cost of a change grows with the view's size once the table no
/// longer fits in the caches (measured in <c>docs/benchmarks.md</c>).
/// </para>
/// <para>
/// The authoritative item of a key that gets its first edit is looked up where the input keeps it. Fed by
/// <see cref="KeyedSource{TObject, TKey}.Connect()"/>, the merge reads the source's own table, as of the change sets it
/// has applied, and keeps no copy of it (<see cref="KeyedSource{TObject, TKey}.SharedSubscription"/>). Fed by any other
/// change-set stream, it keeps a table of the authoritative items, the only way to know them. While it is the source's
/// only subscriber, the source lends it each change set and fills it again once the merge reports it processed, so an
/// authoritative change costs no change set of the source's.
/// </para>
/// <para>
/// Inputs and timers are serialized through one <see cref="SerialQueue{TWork}"/>, which queues re-entrant work instead
/// of nesting it, so the output never overlaps even when an observer calls back into the edit set.
/// </para>
/// </remarks>
internal sealed class OptimisticMerge<TItem, TKey, TEdit>
    where TItem : class
    where TKey : notnull
{
    private readonly OptimisticOptions<TItem, TKey, TEdit> _options;
    private readonly IScheduler _scheduler;
    private readonly IObserver<IChangeSet<OptimisticItem<TItem, TKey>, TKey>> _observer;
    private readonly SerialQueue<Work> _queue;
    // The authoritative items, when the input is not a KeyedSource's (then _shared reads the source's table instead).
    private Dictionary<TKey, TItem>? _authoritative;
    private KeyedSource<TItem, TKey>.SharedSubscription? _shared;
    private readonly Dictionary<TKey, KeyState> _keys = [];
    private readonly Dictionary<EditId, Entry> _entries = [];
    private readonly CompositeDisposable _timers = [];
    private ChangeSet<OptimisticItem<TItem, TKey>, TKey>? _output;
    private int _completedInputs;
    private bool _stopped;

    public OptimisticMerge(OptimisticOptions<TItem, TKey, TEdit> options, IScheduler scheduler, IObserver<IChangeSet<OptimisticItem<TItem, TKey>, TKey>> observer)
    {
        _options = options;
        _scheduler = scheduler;
        _observer = observer;
        _queue = new SerialQueue<Work>(Execute);
    }

    public IDisposable Run(IObservable<IChangeSet<TItem, TKey>> authoritative, IObservable<IChangeSet<Edit<TEdit>, EditId>> edits)
    {
        // The per-notification path queues a small struct, not a closure: nothing is allocated to pass a change set in.
        var authoritativeObserver = Observer.Create<IChangeSet<TItem, TKey>>(
            changes => _queue.Run(new Work(WorkKind.Authoritative, changes)),
            error => _queue.Run(new Work(WorkKind.Error, error)),
            () => _queue.Run(new Work(WorkKind.Completed, null)));
        IDisposable authoritativeSubscription;
        if (authoritative is KeyedSource<TItem, TKey>.Connection connection)
        {
            // Assigned before it starts: the replay is applied, and reported processed, during Start.
            var shared = _shared = connection.Source.CreateShared(authoritativeObserver);
            shared.Start();
            authoritativeSubscription = shared;
        }
        else
        {
            _authoritative = [];
            authoritativeSubscription = authoritative.Subscribe(authoritativeObserver);
        }

        var editSubscription = edits.Subscribe(
            changes => _queue.Run(new Work(WorkKind.Edits, changes)),
            error => _queue.Run(new Work(WorkKind.Error, error)),
            () => _queue.Run(new Work(WorkKind.Completed, null)));
        return new CompositeDisposable(authoritativeSubscription, editSubscription, _timers, Disposable.Create(() => _queue.Run(new Work(WorkKind.Stop, null))));
    }

    private void Execute(Work work)
    {
        switch (work.Kind)
        {
            case WorkKind.Authoritative:
                if (!_stopped)
                {
                    Guard((IChangeSet<TItem, TKey>)work.Payload!, static (merge, changes) => merge.ApplyAuthoritative(changes));
                }

                // Also when stopped: the source keeps each change set until its subscriber reports it processed (and only
                // then lends it again). Nothing below reads the change set any more.
                _shared?.Processed();
                if (_options.Probe is { } probe)
                {
                    probe.AuthoritativeItemsCopied = _authoritative?.Count ?? 0;
                }

                break;
            case WorkKind.Edits when !_stopped:
                Guard((IChangeSet<Edit<TEdit>, EditId>)work.Payload!, static (merge, changes) => merge.ApplyEdits(changes));
                break;
            case WorkKind.SettleTimeout:
                SettleTimedOut((Entry)work.Payload!);
                break;
            case WorkKind.Error:
                Fail((Exception)work.Payload!);
                break;
            case WorkKind.Completed:
                CompleteInput();
                break;
            case WorkKind.Stop:
                _stopped = true;
                break;
        }
    }

    private void ApplyAuthoritative(IChangeSet<TItem, TKey> changes)
    {
        foreach (var change in changes)
        {
            var key = change.Key;
            TItem? previous;
            TItem? current;
            if (_authoritative is null)
            {
                // The source's change names the item before it, which is the one this merge applied last for the key.
                previous = change.TryGetBefore(out var before) ? before : null;
                current = change.Reason == ChangeReason.Remove ? null : change.Current;
            }
            else if (change.Reason == ChangeReason.Remove)
            {
                if (!_authoritative.Remove(key, out previous))
                {
                    continue;
                }

                current = null;
            }
            else
            {
                ref var stored = ref CollectionsMarshal.GetValueRefOrAddDefault(_authoritative, key, out var existed);
                previous = existed ? stored : null;
                current = change.Current;
                stored = current;
            }

            if (_keys.TryGetValue(key, out var state))
            {
                // The key has edits: settle the accepted ones the new item includes, rebase the others on it, and show
                // the result.
                state.Authoritative = current;
                state.Version++;
                SettleIncluded(state);
                Recompute(state);
            }
            else
            {
                // No edits: the view shows the authoritative item itself. An item equal to the one shown changes
                // nothing the subscriber can see, so it is not published (the view never carries an Update whose
                // Current equals its Previous).
                CountRecompute();
                if (!EqualityComparer<TItem>.Default.Equals(previous, current))
                {
                    Publish(key, Confirmed(key, previous), Confirmed(key, current));
                }
            }
        }
    }

    private void ApplyEdits(IChangeSet<Edit<TEdit>, EditId> changes)
    {
        foreach (var change in changes)
        {
            var edit = change.Current;
            if (change.Reason is ChangeReason.Add or ChangeReason.Update)
            {
                Track(edit);
            }
            else if (change.Reason == ChangeReason.Remove && _entries.TryGetValue(edit.Id, out var entry))
            {
                if (edit.Status == EditStatus.Accepted)
                {
                    Accept(entry, edit);
                }
                else
                {
                    Forget(entry);
                }
            }
        }
    }

    private void Track(Edit<TEdit> edit)
    {
        if (_entries.TryGetValue(edit.Id, out var entry))
        {
            if (entry.Edit.Attempt != edit.Attempt)
            {
                // Without an inclusion test, a new attempt is settled only by a change seen after it was requested.
                entry.VersionAtAttempt = entry.State.Version;
            }

            entry.Edit = edit;
            Recompute(entry.State);
            return;
        }

        var key = _options.KeyOf(edit);
        if (!_keys.TryGetValue(key, out var state))
        {
            // Until now the key showed its authoritative item as it is (or nothing).
            var authoritative = LookUpAuthoritative(key);
            state = new KeyState(key) { Authoritative = authoritative, Shown = Confirmed(key, authoritative) };
            _keys.Add(key, state);
        }

        entry = new Entry(edit, state) { VersionAtAttempt = state.Version };
        _entries.Add(edit.Id, entry);
        InsertInRequestOrder(state.Entries, entry);
        Recompute(state);
    }

    private void Accept(Entry entry, Edit<TEdit> accepted)
    {
        entry.Edit = accepted;
        entry.Accepted = true;
        if (IsSettled(entry))
        {
            Forget(entry);
            return;
        }

        // The acknowledgement came before the authoritative copy: keep the prediction, bounded in time.
        var timer = new SingleAssignmentDisposable();
        _timers.Add(timer);
        entry.SettleTimer = timer;
        timer.Disposable = _scheduler.Schedule((Merge: this, Entry: entry), _options.SettleTimeout, static (_, state) =>
        {
            state.Merge._queue.Run(new Work(WorkKind.SettleTimeout, state.Entry));
            return Disposable.Empty;
        });
        Recompute(entry.State);
    }

    private void SettleTimedOut(Entry entry)
    {
        // A stale timer (its entry already confirmed or forgotten) finds the entry gone and does nothing.
        if (_stopped || !_entries.TryGetValue(entry.Edit.Id, out var current) || !ReferenceEquals(current, entry))
        {
            return;
        }

        Guard(entry, static (merge, entry) => merge.Forget(entry));
    }

    private void SettleIncluded(KeyState state)
    {
        for (var i = state.Entries.Count - 1; i >= 0; i--)
        {
            var entry = state.Entries[i];
            if (entry.Accepted && IsSettled(entry))
            {
                Remove(entry);
            }
        }
    }

    // An accepted edit leaves once the authoritative item includes it. Without an inclusion test, or without an item to
    // run it on (after a deletion, say), the authoritative change of its key seen after its attempt was requested is
    // taken to be the one that contains it.
    private bool IsSettled(Entry entry)
    {
        if (_options.Includes is { } includes && entry.State.Authoritative is { } item)
        {
            return includes(item, entry.Edit);
        }

        return entry.State.Version > entry.VersionAtAttempt;
    }

    private void Forget(Entry entry)
    {
        Remove(entry);
        Recompute(entry.State);
    }

    private void Remove(Entry entry)
    {
        _entries.Remove(entry.Edit.Id);
        entry.State.Entries.Remove(entry);
        if (entry.SettleTimer is { } timer)
        {
            _timers.Remove(timer);
        }

        // A key left without edits goes in Recompute, which every caller runs next: it still needs what was shown.
    }

    // Replaces what is shown for a key with edits by the authoritative item with the edits it does not include applied
    // in request order: each edit applies once, in the item or on top of it. The state still counts every edit, so a
    // pending edit the item already includes keeps the key Pending until it settles.
    // A key left without edits is dropped from the table: from then on it shows its authoritative item as it is.
    private void Recompute(KeyState keyState)
    {
        CountRecompute();
        var key = keyState.Key;
        var authoritative = keyState.Authoritative;
        var includes = authoritative is null ? null : _options.Includes;
        var item = authoritative;
        var state = OptimisticState.Confirmed;
        Exception? error = null;
        EditId? editId = null;
        long sequence = 0;
        var isPredicted = authoritative is null;
        foreach (var entry in keyState.Entries)
        {
            var edit = entry.Edit;
            if (includes is null || !includes(authoritative!, edit))
            {
                var predicted = _options.Predict(edit, item);
                isPredicted = true;

                // A rejected deletion keeps its item on screen: that is where its error and Retry/Discard are shown.
                item = predicted is null && edit.Status == EditStatus.Rejected ? item : predicted;
                if (_options.Probe is { } counted)
                {
                    counted.PredictionsEvaluated++;
                }
            }

            editId = edit.Id;
            sequence = sequence == 0 ? edit.Sequence : sequence;
            if (edit.Status == EditStatus.Rejected)
            {
                state = OptimisticState.Failed;
                error = edit.Error;
            }
            else if (state != OptimisticState.Failed)
            {
                state = OptimisticState.Pending;
            }
        }

        if (keyState.Entries.Count == 0)
        {
            _keys.Remove(key);
        }

        var hasBase = authoritative is not null;
        var shown = keyState.Shown;
        if (item is null)
        {
            keyState.Shown = null;
            Publish(key, shown, null);
            return;
        }

        // Predict makes a new item on every call, so a recomputation that changes nothing (an acknowledgement before
        // the authoritative item, a waiting edit that starts) finds an equal item, not the same one: compared as
        // OptimisticItem.Equals does, it is not published, and the item shown stays.
        sequence = hasBase ? 0 : sequence;
        if (shown is not null
            && shown.State == state
            && shown.IsLocal == !hasBase
            && shown.IsPredicted == isPredicted
            && shown.Sequence == sequence
            && shown.EditId == editId
            && ReferenceEquals(shown.Error, error)
            && EqualityComparer<TItem>.Default.Equals(shown.Item, item))
        {
            return;
        }

        var next = new OptimisticItem<TItem, TKey>(key, item, state, error, editId, isLocal: !hasBase, sequence, isPredicted);
        keyState.Shown = next;
        Publish(key, shown, next);
    }

    // The authoritative item of a key without edits, as of the change sets applied so far.
    private TItem? LookUpAuthoritative(TKey key)
    {
        if (_authoritative is not null)
        {
            return _authoritative.GetValueOrDefault(key);
        }

        return _shared!.TryGetValue(key, out var item) ? item : null;
    }

    private void CountRecompute()
    {
        if (_options.Probe is { } probe)
        {
            probe.KeysRecomputed++;
        }
    }

    // What a key without edits shows: its authoritative item as it is. Made anew for each change (equal by value to the
    // one published before), because keeping it would leave one more object per key for the garbage collector.
    private static OptimisticItem<TItem, TKey>? Confirmed(TKey key, TItem? item) =>
        item is null ? null : new OptimisticItem<TItem, TKey>(key, item, OptimisticState.Confirmed, error: null, editId: null, isLocal: false, sequence: 0);

    // Publishes the move from what was shown to what is shown now: Add, Update or Remove of the key (nothing for nothing).
    private void Publish(TKey key, OptimisticItem<TItem, TKey>? shown, OptimisticItem<TItem, TKey>? next)
    {
        if (next is not null)
        {
            Emit(shown is null
                ? new Change<OptimisticItem<TItem, TKey>, TKey>(ChangeReason.Add, key, next)
                : new Change<OptimisticItem<TItem, TKey>, TKey>(ChangeReason.Update, key, next, shown));
        }
        else if (shown is not null)
        {
            Emit(new Change<OptimisticItem<TItem, TKey>, TKey>(ChangeReason.Remove, key, shown));
        }
    }

    private void Emit(in Change<OptimisticItem<TItem, TKey>, TKey> change) =>
        (_output ??= new ChangeSet<OptimisticItem<TItem, TKey>, TKey>(1)).Add(change);

    // Runs one input notification and publishes what it changed as one change set; a throwing user delegate ends the
    // stream with OnError, as in Rx.
    // The static-lambda-over-state form keeps the per-notification path free of closure allocations.
    private void Guard<TState>(TState state, Action<OptimisticMerge<TItem, TKey, TEdit>, TState> action)
    {
        try
        {
            action(this, state);
        }
        catch (Exception ex)
        {
            _output = null;
            Fail(ex);
            return;
        }

        var output = _output;
        _output = null;
        if (output is not null)
        {
            _observer.OnNext(output);
        }
    }

    private void Fail(Exception error)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        _timers.Dispose();
        _observer.OnError(error);
    }

    private void CompleteInput()
    {
        if (_stopped || ++_completedInputs < 2)
        {
            return;
        }

        _stopped = true;
        _timers.Dispose();
        _observer.OnCompleted();
    }

    private static void InsertInRequestOrder(List<Entry> entries, Entry entry)
    {
        var index = entries.Count;
        while (index > 0 && entries[index - 1].Edit.Sequence > entry.Edit.Sequence)
        {
            index--;
        }

        entries.Insert(index, entry);
    }

    // A key with edits: the edits in request order, what is shown for it, and how many authoritative changes it has seen
    // (without an inclusion test, an accepted edit is settled by one seen after its attempt was requested).
    private sealed class KeyState(TKey key)
    {
        public TKey Key { get; } = key;

        public long Version { get; set; }

        // The base of its predictions: the key's authoritative item as of the change sets applied, or null.
        public TItem? Authoritative { get; set; }

        public List<Entry> Entries { get; } = [];

        public OptimisticItem<TItem, TKey>? Shown { get; set; }
    }

    private enum WorkKind
    {
        Authoritative,
        Edits,
        SettleTimeout,
        Error,
        Completed,
        Stop,
    }

    private readonly record struct Work(WorkKind Kind, object? Payload);

    private sealed class Entry(Edit<TEdit> edit, KeyState state)
    {
        public Edit<TEdit> Edit { get; set; } = edit;

        public KeyState State { get; } = state;

        public long VersionAtAttempt { get; set; }

        public bool Accepted { get; set; }

        public IDisposable? SettleTimer { get; set; }
    }
}
