using System.Diagnostics.CodeAnalysis;
using System.Reactive.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Reactive.Edits.ChangeSets;

/// <summary>Holds a keyed collection and publishes every edit of it as a change set.</summary>
/// <typeparam name="TObject">The type of the items.</typeparam>
/// <typeparam name="TKey">The type of the keys.</typeparam>
/// <remarks>
/// <para>
/// <see cref="Connect()"/> first replays the current items as one change set of adds (nothing when empty), then
/// streams every later batch. A batch made with <see cref="Edit(Action{ISourceUpdater{TObject, TKey}})"/> is
/// published as one change set.
/// </para>
/// <para>
/// Batches nest: an edit made on the source while a batch of it runs on the same thread (inside the
/// <see cref="Edit(Action{ISourceUpdater{TObject, TKey}})"/> callback, directly or through code it calls) joins that
/// batch, and the outermost batch publishes one change set with every change when it ends. An edit from another thread
/// is never nested: it waits for the running batch to end and is published as its own change set after it.
/// </para>
/// <para>
/// Thread safety: every member may be called from any thread. Edits are applied under one gate and their change sets
/// are queued; a single thread at a time delivers the queue, outside the gate, so that subscribers never see
/// overlapping notifications, always see batches in the order they were applied, and may call back into the source
/// from <c>OnNext</c> (such an edit is delivered after the current notification returns).
/// </para>
/// <example>
/// <code>
/// using var people = new KeyedSource&lt;Person, int&gt;(p =&gt; p.Id);
/// using var subscription = people.Connect().Subscribe(changes =&gt; Console.WriteLine(changes));
/// people.Edit(u =&gt; { u.AddOrUpdate(new Person(1, "Ada")); u.AddOrUpdate(new Person(2, "Alan")); }); // one change set
/// </code>
/// </example>
/// </remarks>
public sealed class KeyedSource<TObject, TKey> : IDisposable
    where TKey : notnull
{
    private readonly object _gate = new();
    private readonly Func<TObject, TKey> _keySelector;
    private readonly Dictionary<TKey, TObject> _items;
    private readonly Updater _updater;
    private readonly SerialQueue<Delivery> _deliveries;
    private Subscription[] _subscribers = [];
    // A change set that a lone shared subscriber has processed, emptied, for the next batch to fill (see Lender).
    private ChangeSet<TObject, TKey>? _spare;
    private int _batchDepth;
    private bool _disposed;

    /// <summary>Initializes an empty source.</summary>
    /// <param name="keySelector">Gives the key of an item; called once per edit of that item.</param>
    /// <param name="keyComparer">Compares keys; <see langword="null"/> for the default comparer.</param>
    /// <exception cref="ArgumentNullException"><paramref name="keySelector"/> is <see langword="null"/>.</exception>
    public KeyedSource(Func<TObject, TKey> keySelector, IEqualityComparer<TKey>? keyComparer = null)
    {
        ArgumentNullException.ThrowIfNull(keySelector);
        _keySelector = keySelector;
        _items = new Dictionary<TKey, TObject>(keyComparer);
        _updater = new Updater(this);

        // Deliveries are queued under the source's gate, in the order of the changes, and delivered outside it. An
        // observer that throws (an Rx contract breach) leaves the rest queued for the next edit to deliver.
        _deliveries = new SerialQueue<Delivery>(_gate, static delivery => delivery.Deliver(), SerialQueueFault.KeepQueued);
    }

    /// <summary>Gets the number of items.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Gets a snapshot of the items, in no particular order.</summary>
    public IReadOnlyList<TObject> Items
    {
        get
        {
            lock (_gate)
            {
                return [.. _items.Values];
            }
        }
    }

    /// <summary>Looks up the item with the key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="item">The item, when found.</param>
    /// <returns><see langword="true"/> if the key is present.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TObject item)
    {
        ThrowIfNull(key);
        lock (_gate)
        {
            return _items.TryGetValue(key, out item);
        }
    }

    /// <summary>Adds the item, or replaces the item with the same key, as a change set of one change.</summary>
    /// <param name="item">The item.</param>
    /// <remarks>Called inside a batch on the same thread, the change joins that batch instead.</remarks>
    /// <exception cref="ObjectDisposedException">The source is disposed.</exception>
    public void AddOrUpdate(TObject item) =>
        Mutate(item, static (updater, item) =>
        {
            updater.AddOrUpdate(item);
            return true;
        });

    /// <summary>Removes the item with the key, if there is one.</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> if an item was removed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The source is disposed.</exception>
    /// <remarks>Called inside a batch on the same thread, the change joins that batch instead.</remarks>
    public bool Remove(TKey key)
    {
        ThrowIfNull(key);
        return Mutate(key, static (updater, key) => updater.Remove(key));
    }

    /// <summary>Applies several edits as one batch, published as one change set.</summary>
    /// <param name="update">Makes the edits through the updater it is given.</param>
    /// <exception cref="ArgumentNullException"><paramref name="update"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The source is disposed.</exception>
    /// <remarks>
    /// <para>
    /// If <paramref name="update"/> throws, the edits it made before throwing stay applied and are published; the
    /// exception propagates to the caller.
    /// </para>
    /// <para>
    /// Called inside a batch on the same thread (from another batch's <paramref name="update"/>), it is a nested batch:
    /// its edits join the outer batch, nothing is published when it returns, and the outermost batch publishes one
    /// change set with every change, in order, when it ends. Called from another thread, it waits for the running
    /// batch to end and is published as its own change set.
    /// </para>
    /// </remarks>
    public void Edit(Action<ISourceUpdater<TObject, TKey>> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        Mutate(update, static (updater, update) =>
        {
            update(updater);
            return true;
        });
    }

    /// <summary>Streams the items as change sets: the current items first, then every batch.</summary>
    /// <returns>A cold observable; each subscription gets its own replay.</returns>
    /// <remarks>
    /// <list type="table">
    /// <listheader><term>event</term><description>what the subscriber sees</description></listheader>
    /// <item><term>subscribe</term><description>one change set of adds with the current items (nothing when empty)</description></item>
    /// <item><term>edit or batch</term><description>one change set with its changes, in order</description></item>
    /// <item><term>source disposed</term><description><c>OnCompleted</c></description></item>
    /// <item><term>unsubscribe</term><description>nothing more, including change sets already queued for it</description></item>
    /// </list>
    /// </remarks>
    public IObservable<IChangeSet<TObject, TKey>> Connect() => new Connection(this);

    /// <summary>Streams change sets, choosing how the current items are replayed first.</summary>
    internal IObservable<IChangeSet<TObject, TKey>> Connect(ReplayMode replay) =>
        Observable.Create<IChangeSet<TObject, TKey>>(observer => Subscribe(observer, replay));

    /// <summary>Completes every subscription and refuses later edits.</summary>
    public void Dispose()
    {
        bool drain;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            drain = _subscribers.Length > 0 && _deliveries.Enqueue(new Delivery(null, _subscribers));
            _subscribers = [];
        }

        if (drain)
        {
            _deliveries.Drain();
        }
    }

    /// <summary>Runs a batch under the gate and publishes it (nested in a batch running on this thread, it joins that batch); the static-lambda form lets hot paths avoid closures.</summary>
    internal TResult Mutate<TState, TResult>(TState state, Func<Updater, TState, TResult> mutation)
    {
        if (!TryMutate(state, mutation, out var result))
        {
            throw new ObjectDisposedException(GetType().FullName);
        }

        return result;
    }

    /// <summary>Runs a batch like <see cref="Mutate"/>, or returns <see langword="false"/> without running it once the source is disposed.</summary>
    internal bool TryMutate<TState, TResult>(TState state, Func<Updater, TState, TResult> mutation, out TResult result)
    {
        var direct = default(Delivery);
        var drain = false;
        try
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    result = default!;
                    return false;
                }

                if (_batchDepth > 0)
                {
                    // The gate is re-entrant, so only the thread running the outer batch gets here: this is a nested
                    // batch. Its changes join the outer one, which publishes them all when it ends.
                    _batchDepth++;
                    try
                    {
                        result = mutation(_updater, state);
                    }
                    finally
                    {
                        _batchDepth--;
                    }

                    return true;
                }

                _updater.Begin();
                _batchDepth = 1;
                var completed = false;
                try
                {
                    result = mutation(_updater, state);
                    completed = true;
                }
                finally
                {
                    // Also when the mutation throws: the edits it made are applied, so they are published now.
                    _batchDepth = 0;
                    var lender = Lender();
                    var changes = _updater.End(lender is not null);
                    if (changes is not null && _subscribers.Length > 0)
                    {
                        foreach (var subscriber in _subscribers)
                        {
                            subscriber.Published(changes, lent: lender is not null);
                        }

                        if (completed && _deliveries.TryBeginDirect())
                        {
                            // Nothing queued and nobody delivering: this thread delivers the batch without queueing it.
                            direct = new Delivery(changes, _subscribers);
                            drain = true;
                        }
                        else
                        {
                            drain = _deliveries.Enqueue(new Delivery(changes, _subscribers));
                        }
                    }
                }
            }
        }
        finally
        {
            if (drain)
            {
                if (direct.Targets is not null)
                {
                    _deliveries.Drain(direct);
                }
                else
                {
                    _deliveries.Drain();
                }
            }
        }

        return true;
    }

    // Under the gate: the subscriber when it is the only one and a shared one, else null. A change set published to it
    // alone reaches no code that can keep it (a shared subscriber is an operator of this library that reports each change
    // set processed once it is done with it), so once processed it is emptied and filled again by a later batch: the
    // merge fed by this source then costs no change set of the source's per change. First the change sets it has
    // processed are dropped, which gives the spare back.
    private Subscription? Lender()
    {
        if (_subscribers is not [{ IsShared: true } only])
        {
            return null;
        }

        only.DropProcessed();
        return only;
    }

    // Under the gate: keeps one processed change set, emptied so that it holds no item alive, for the next batch.
    private void ReturnSpare(ChangeSet<TObject, TKey> changes)
    {
        if (_spare is null)
        {
            changes.Clear();
            _spare = changes;
        }
    }

    private IDisposable Subscribe(IObserver<IChangeSet<TObject, TKey>> observer, ReplayMode replay) =>
        Start(new Subscription(this, observer, tracksUnprocessed: false), replay);

    /// <summary>Makes a subscription that can look items up as of the change sets its observer has processed; <see cref="SharedSubscription.Start"/> starts it.</summary>
    internal SharedSubscription CreateShared(IObserver<IChangeSet<TObject, TKey>> observer) =>
        new(new Subscription(this, observer, tracksUnprocessed: true));

    private Subscription Start(Subscription subscription, ReplayMode replay)
    {
        var drain = false;
        lock (_gate)
        {
            if (_disposed)
            {
                drain = _deliveries.Enqueue(new Delivery(null, [subscription]));
            }
            else
            {
                if (replay == ReplayMode.Always || (replay == ReplayMode.NonEmpty && _items.Count > 0))
                {
                    var initial = new ChangeSet<TObject, TKey>(_items.Count);
                    foreach (var pair in _items)
                    {
                        initial.Add(new Change<TObject, TKey>(ChangeReason.Add, pair.Key, pair.Value));
                    }

                    subscription.Published(initial, lent: false);
                    drain = _deliveries.Enqueue(new Delivery(initial, [subscription]));
                }

                _subscribers = [.. _subscribers, subscription];
            }
        }

        if (drain)
        {
            _deliveries.Drain();
        }

        return subscription;
    }

    private void Unsubscribe(Subscription subscription)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_subscribers, subscription);
            if (index < 0)
            {
                return;
            }

            var next = new Subscription[_subscribers.Length - 1];
            Array.Copy(_subscribers, 0, next, 0, index);
            Array.Copy(_subscribers, index + 1, next, index, next.Length - index);
            _subscribers = next;
        }
    }

    // ArgumentNullException.ThrowIfNull takes object, and `key is null` compiles to a box too: unoptimized code (tier 0,
    // debug builds) would allocate a box per call for a value-type key. The flag is a per-type constant that skips it.
    private static readonly bool KeyCanBeNull = default(TKey) is null;

    private static void ThrowIfNull(TKey key, [CallerArgumentExpression(nameof(key))] string? paramName = null)
    {
        if (KeyCanBeNull && key is null)
        {
            throw new ArgumentNullException(paramName);
        }
    }

    private readonly record struct Delivery(IChangeSet<TObject, TKey>? Changes, Subscription[] Targets)
    {
        public void Deliver()
        {
            foreach (var target in Targets)
            {
                target.Deliver(Changes);
            }
        }
    }

    internal sealed class Subscription(KeyedSource<TObject, TKey> owner, IObserver<IChangeSet<TObject, TKey>> observer, bool tracksUnprocessed) : IDisposable
    {
        // For a shared subscription only: the change sets published to this subscriber, oldest first, from the oldest it
        // may not have processed yet, each with whether it was lent to this subscriber alone (guarded by the source's
        // gate), how many were published (under the gate) and how many it has processed (written by the subscriber
        // alone, without the gate, so that reporting costs no lock).
        private readonly Queue<(ChangeSet<TObject, TKey> Changes, bool Lent)>? _unprocessed = tracksUnprocessed ? new() : null;
        private long _published;
        private long _processed;
        private volatile bool _disposed;

        public KeyedSource<TObject, TKey> Owner => owner;

        public bool IsShared => _unprocessed is not null;

        // Called under the gate when a change set is queued or handed to this subscriber; lent when to it alone.
        public void Published(ChangeSet<TObject, TKey> changes, bool lent)
        {
            if (_unprocessed is null)
            {
                return;
            }

            DropProcessed();
            _unprocessed.Enqueue((changes, lent));
            _published++;
        }

        // Called by the subscriber, in order, once it is done with a change set.
        public void Processed() => Interlocked.Increment(ref _processed);

        // Called under the gate: the item as the subscriber knows it, from the change sets it has processed. The source's
        // table is ahead of it by the change sets still on their way; the first of those that touches the key holds the
        // item from before it.
        public bool TryGetProcessed(TKey key, [MaybeNullWhen(false)] out TObject item)
        {
            DropProcessed();
            var comparer = owner._items.Comparer;
            foreach (var (changes, _) in _unprocessed!)
            {
                foreach (var change in changes)
                {
                    if (comparer.Equals(change.Key, key))
                    {
                        return change.TryGetBefore(out item);
                    }
                }
            }

            return owner._items.TryGetValue(key, out item);
        }

        // Called under the gate: the queue's head is change set number _published - Count. A lent change set that is
        // processed goes back to the source.
        public void DropProcessed()
        {
            var processed = Interlocked.Read(ref _processed);
            while (_unprocessed!.Count > 0 && _published - _unprocessed.Count < processed)
            {
                var (changes, lent) = _unprocessed.Dequeue();
                if (lent)
                {
                    owner.ReturnSpare(changes);
                }
            }
        }

        public void Deliver(IChangeSet<TObject, TKey>? changes)
        {
            if (_disposed)
            {
                return;
            }

            if (changes is null)
            {
                _disposed = true;
                observer.OnCompleted();
            }
            else
            {
                observer.OnNext(changes);
            }
        }

        public void Dispose()
        {
            _disposed = true;
            owner.Unsubscribe(this);
        }
    }

    /// <summary>What <see cref="Connect()"/> returns: a cold observable that operators of this library can recognize, so that they read the source's table instead of keeping a copy of it.</summary>
    internal sealed class Connection(KeyedSource<TObject, TKey> source) : IObservable<IChangeSet<TObject, TKey>>
    {
        // Rx's Create, as before: its wrapper gives a public subscriber the usual guarantees (auto-detach on error).
        private readonly IObservable<IChangeSet<TObject, TKey>> _observable =
            Observable.Create<IChangeSet<TObject, TKey>>(observer => source.Subscribe(observer, ReplayMode.NonEmpty));

        public KeyedSource<TObject, TKey> Source => source;

        public IDisposable Subscribe(IObserver<IChangeSet<TObject, TKey>> observer) => _observable.Subscribe(observer);
    }

    /// <summary>
    /// A subscription whose observer can look an item up as of the change sets it has processed, not as of the source's
    /// latest edit: a consumer that would otherwise copy the whole table to know its items (the optimistic merge) reads
    /// the source's table instead. The observer reports each change set it has finished with through
    /// <see cref="Processed"/>.
    /// </summary>
    internal sealed class SharedSubscription(Subscription subscription) : IDisposable
    {
        /// <summary>Replays the current items (nothing when empty) and starts streaming.</summary>
        public void Start() => subscription.Owner.Start(subscription, ReplayMode.NonEmpty);

        /// <summary>Marks the oldest change set delivered and not yet processed as processed; takes no lock.</summary>
        public void Processed() => subscription.Processed();

        /// <summary>Looks up the item with the key as the observer knows it: after the change sets it has processed, before the others.</summary>
        public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TObject item)
        {
            lock (subscription.Owner._gate)
            {
                return subscription.TryGetProcessed(key, out item);
            }
        }

        public void Dispose() => subscription.Dispose();
    }

    /// <summary>Applies the edits of one batch and collects their changes; valid only inside a mutation.</summary>
    internal sealed class Updater(KeyedSource<TObject, TKey> owner) : ISourceUpdater<TObject, TKey>
    {
        // The first change of a batch is held in a field and later ones in a scratch list reused by every batch, so that
        // the published change set is allocated once, at its exact size (or is the source's spare), and a single change
        // costs no extra copy.
        private const int MaxRetainedCapacity = 1024;
        private readonly List<Change<TObject, TKey>> _more = [];
        private Change<TObject, TKey> _first;
        private bool _hasFirst;

        public int Count => owner._items.Count;

        public void Begin()
        {
            _hasFirst = false;
            _more.Clear();
        }

        // With reuseSpare, the source's spare change set is filled when it has one.
        public ChangeSet<TObject, TKey>? End(bool reuseSpare)
        {
            if (!_hasFirst)
            {
                return null;
            }

            ChangeSet<TObject, TKey> changes;
            if (reuseSpare && owner._spare is { } spare)
            {
                owner._spare = null;
                changes = spare;
            }
            else
            {
                changes = new ChangeSet<TObject, TKey>(1 + _more.Count);
            }

            changes.Add(_first);
            _first = default;
            _hasFirst = false;
            if (_more.Count > 0)
            {
                foreach (var change in _more)
                {
                    changes.Add(change);
                }

                _more.Clear();
                if (_more.Capacity > MaxRetainedCapacity)
                {
                    // One huge batch (a replay, a Clear) must not pin its buffer for the life of the source.
                    _more.Capacity = 0;
                }
            }

            return changes;
        }

        public void AddOrUpdate(TObject item)
        {
            var key = owner._keySelector(item);
            ThrowIfNull(key, nameof(item));

            // One hash lookup for both cases: the slot is read and written through the same reference.
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(owner._items, key, out var exists);
            var previous = slot;
            slot = item;
            Record(exists
                ? new Change<TObject, TKey>(ChangeReason.Update, key, item, previous!)
                : new Change<TObject, TKey>(ChangeReason.Add, key, item));
        }

        public void AddOrUpdate(IEnumerable<TObject> items)
        {
            ArgumentNullException.ThrowIfNull(items);
            foreach (var item in items)
            {
                AddOrUpdate(item);
            }
        }

        public bool Remove(TKey key)
        {
            ThrowIfNull(key);
            if (!owner._items.Remove(key, out var removed))
            {
                return false;
            }

            Record(new Change<TObject, TKey>(ChangeReason.Remove, key, removed));
            return true;
        }

        /// <summary>Removes the key, publishing <paramref name="final"/> as the removed item and the stored item as the previous one.</summary>
        public bool Remove(TKey key, TObject final)
        {
            if (!owner._items.Remove(key, out var removed))
            {
                return false;
            }

            Record(new Change<TObject, TKey>(ChangeReason.Remove, key, final, removed));
            return true;
        }

        /// <summary>Copies the current items, for batch operations that must not enumerate while they edit.</summary>
        public TObject[] Snapshot() => [.. owner._items.Values];

        public bool Refresh(TKey key)
        {
            ThrowIfNull(key);
            if (!owner._items.TryGetValue(key, out var item))
            {
                return false;
            }

            Record(new Change<TObject, TKey>(ChangeReason.Refresh, key, item));
            return true;
        }

        public void Clear()
        {
            if (owner._items.Count == 0)
            {
                return;
            }

            foreach (var pair in owner._items)
            {
                Record(new Change<TObject, TKey>(ChangeReason.Remove, pair.Key, pair.Value));
            }

            owner._items.Clear();
        }

        public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TObject item) => owner._items.TryGetValue(key, out item);

        private void Record(in Change<TObject, TKey> change)
        {
            if (_hasFirst)
            {
                _more.Add(change);
            }
            else
            {
                _first = change;
                _hasFirst = true;
            }
        }
    }
}
