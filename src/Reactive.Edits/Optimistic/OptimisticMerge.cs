using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Reactive.Edits.ChangeSets;

namespace Reactive.Edits.Optimistic;

/// <summary>Merges an authoritative change-set stream with an edit set into the view the user sees; see <see cref="OptimisticObservable"/>.</summary>
/// <remarks>
/// All state is per key: a change touches only the keys it names, and recomputing a key costs the number of edits on
/// that key, whatever the size of the view. Everything known about a key (its authoritative item, its edits, what is
/// shown) sits in one dictionary entry, so a change to a key that is not in the cache costs one cold lookup, not one
/// per table: in large views the memory system, not the work, sets the cost of a change. Inputs and timers are serialized through one <see cref="AsyncLock"/>,
/// which queues re-entrant work instead of nesting it, so the output never overlaps even when an observer calls back
/// into the edit set.
/// </remarks>
internal sealed class OptimisticMerge<TItem, TKey, TEdit>
    where TItem : class
    where TKey : notnull
{
    private readonly OptimisticOptions<TItem, TKey, TEdit> _options;
    private readonly IScheduler _scheduler;
    private readonly IObserver<IChangeSet<OptimisticItem<TItem, TKey>, TKey>> _observer;
    private readonly AsyncLock _lock = new();
    private readonly Dictionary<TKey, KeySlot> _slots = [];
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
    }

    public IDisposable Run(IObservable<IChangeSet<TItem, TKey>> authoritative, IObservable<IChangeSet<Edit<TEdit>, EditId>> edits)
    {
        var authoritativeSubscription = authoritative.Subscribe(
            changes => _lock.Wait(() => Process(changes)),
            error => _lock.Wait(() => Fail(error)),
            () => _lock.Wait(CompleteInput));
        var editSubscription = edits.Subscribe(
            changes => _lock.Wait(() => Process(changes)),
            error => _lock.Wait(() => Fail(error)),
            () => _lock.Wait(CompleteInput));
        return new CompositeDisposable(authoritativeSubscription, editSubscription, _timers, Disposable.Create(() => _lock.Wait(() => _stopped = true)));
    }

    private void Process(IChangeSet<TItem, TKey> changes)
    {
        if (_stopped)
        {
            return;
        }

        Guard(changes, static (merge, changes) => merge.ApplyAuthoritative(changes));
    }

    private void Process(IChangeSet<Edit<TEdit>, EditId> changes)
    {
        if (_stopped)
        {
            return;
        }

        Guard(changes, static (merge, changes) => merge.ApplyEdits(changes));
    }

    // Indexed loops, not foreach: enumerating a change set through its interface boxes an enumerator per notification.
    private void ApplyAuthoritative(IChangeSet<TItem, TKey> changes)
    {
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i];
            var key = change.Key;
            KeyState? state;
            if (change.Reason == ChangeReason.Remove)
            {
                ref var slot = ref CollectionsMarshal.GetValueRefOrNullRef(_slots, key);
                if (Unsafe.IsNullRef(ref slot))
                {
                    continue;
                }

                slot.Authoritative = null;
                state = slot.Edits;
            }
            else
            {
                ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_slots, key, out _);
                slot.Authoritative = change.Current;
                state = slot.Edits;
            }

            // No ref into _slots is held from here on: confirming and recomputing may add or remove entries.
            if (state is not null)
            {
                state.Version++;
                ConfirmAccepted(state);
            }

            Recompute(key);
        }
    }

    private void ApplyEdits(IChangeSet<Edit<TEdit>, EditId> changes)
    {
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i];
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
                // A new attempt must be confirmed by a change seen after it was requested.
                entry.VersionAtAttempt = entry.State.Version;
            }

            entry.Edit = edit;
            Recompute(entry.State.Key);
            return;
        }

        var key = _options.KeyOf(edit);
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_slots, key, out _);
        var state = slot.Edits ??= new KeyState(key);

        entry = new Entry(edit, state) { VersionAtAttempt = state.Version };
        _entries.Add(edit.Id, entry);
        InsertInRequestOrder(state.Entries, entry);
        Recompute(key);
    }

    private void Accept(Entry entry, Edit<TEdit> accepted)
    {
        entry.Edit = accepted;
        entry.Accepted = true;
        if (IsConfirmed(entry))
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
            state.Merge._lock.Wait(() => state.Merge.SettleTimedOut(state.Entry));
            return Disposable.Empty;
        });
        Recompute(entry.State.Key);
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

    private void ConfirmAccepted(KeyState state)
    {
        for (var i = state.Entries.Count - 1; i >= 0; i--)
        {
            var entry = state.Entries[i];
            if (entry.Accepted && IsConfirmed(entry))
            {
                Remove(entry);
            }
        }
    }

    private bool IsConfirmed(Entry entry)
    {
        if (_options.IsConfirmedBy is not { } isConfirmedBy)
        {
            return entry.State.Version > entry.VersionAtAttempt;
        }

        var item = _slots.TryGetValue(entry.State.Key, out var slot) ? slot.Authoritative : null;
        return item is not null && isConfirmedBy(item, entry.Edit);
    }

    private void Forget(Entry entry)
    {
        Remove(entry);
        Recompute(entry.State.Key);
    }

    private void Remove(Entry entry)
    {
        _entries.Remove(entry.Edit.Id);
        entry.State.Entries.Remove(entry);
        if (entry.SettleTimer is { } timer)
        {
            _timers.Remove(timer);
        }

        if (entry.State.Entries.Count == 0)
        {
            // The slot itself goes in Recompute, once nothing is shown for the key either.
            CollectionsMarshal.GetValueRefOrNullRef(_slots, entry.State.Key).Edits = null;
        }
    }

    // Replaces what is shown for one key by the authoritative item with the key's edits applied in request order.
    private void Recompute(TKey key)
    {
        if (_options.Probe is { } probe)
        {
            probe.KeysRecomputed++;
        }

        // One hash lookup for the whole recomputation; nothing adds to or removes from _slots until the end, so the ref stays valid.
        ref var slot = ref CollectionsMarshal.GetValueRefOrNullRef(_slots, key);
        if (Unsafe.IsNullRef(ref slot))
        {
            return;
        }

        var item = slot.Authoritative;
        var hasBase = item is not null;
        var state = OptimisticState.Confirmed;
        Exception? error = null;
        EditId? editId = null;
        long sequence = 0;
        if (slot.Edits is { } keyState)
        {
            foreach (var entry in keyState.Entries)
            {
                var edit = entry.Edit;
                var predicted = _options.Predict(edit, item);

                // A rejected deletion keeps its item on screen: that is where its error and Retry/Discard are shown.
                item = predicted is null && edit.Status == EditStatus.Rejected ? item : predicted;
                if (_options.Probe is { } counted)
                {
                    counted.PredictionsEvaluated++;
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
        }

        var shown = slot.Shown;
        var hadShown = shown is not null;
        if (item is null)
        {
            slot.Shown = null;
            var forgotten = slot.Authoritative is null && slot.Edits is null;
            if (forgotten)
            {
                _slots.Remove(key);
            }

            if (hadShown)
            {
                Emit(new Change<OptimisticItem<TItem, TKey>, TKey>(ChangeReason.Remove, key, shown!));
            }

            return;
        }

        if (hadShown && ReferenceEquals(shown!.Item, item) && shown.State == state && ReferenceEquals(shown.Error, error) && shown.EditId == editId && shown.IsLocal == !hasBase)
        {
            return;
        }

        var next = new OptimisticItem<TItem, TKey>(key, item, state, error, editId, isLocal: !hasBase, hasBase ? 0 : sequence);
        slot.Shown = next;

        Emit(hadShown
            ? new Change<OptimisticItem<TItem, TKey>, TKey>(ChangeReason.Update, key, next, shown!)
            : new Change<OptimisticItem<TItem, TKey>, TKey>(ChangeReason.Add, key, next));
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

    // Everything the merge knows about one key. A slot with no authoritative item, no edits and nothing shown is removed.
    private struct KeySlot
    {
        public TItem? Authoritative;
        public KeyState? Edits;
        public OptimisticItem<TItem, TKey>? Shown;
    }

    private sealed class KeyState(TKey key)
    {
        public TKey Key { get; } = key;

        public long Version { get; set; }

        public List<Entry> Entries { get; } = [];
    }

    private sealed class Entry(Edit<TEdit> edit, KeyState state)
    {
        public Edit<TEdit> Edit { get; set; } = edit;

        public KeyState State { get; } = state;

        public long VersionAtAttempt { get; set; }

        public bool Accepted { get; set; }

        public IDisposable? SettleTimer { get; set; }
    }
}
