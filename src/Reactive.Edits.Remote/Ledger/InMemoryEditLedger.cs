using System.Reactive.Concurrency;

namespace Reactive.Edits.Remote;

/// <summary>Deduplicates edits by id in memory, with bounded memory: the default <see cref="IEditLedger{TCommand}"/>.</summary>
/// <typeparam name="TCommand">The type of the edits' commands.</typeparam>
/// <remarks>
/// <para>Memory is bounded: at most <see cref="InMemoryEditLedgerOptions.Capacity"/> completed entries, each kept for at most
/// <see cref="InMemoryEditLedgerOptions.Expiry"/> (evicted oldest-completed first, on the next call; no timers), plus the
/// entries in progress. An entry holds the id, the attempt, the command (for the conflict check) and the outcome.</para>
/// <para>Commands are compared with <see cref="EqualityComparer{T}.Default"/> unless a comparer is given: records
/// compare by value.</para>
/// <para>Thread safety: every member may be called from any thread; one lock guards the table, and outcomes complete
/// outside it (asynchronously to their awaiters).</para>
/// </remarks>
public sealed class InMemoryEditLedger<TCommand> : IEditLedger<TCommand>
{
    private readonly object _gate = new();
    private readonly Dictionary<EditId, Entry> _entries = [];
    private readonly Queue<(Entry Entry, long Version)> _completed = new();
    private readonly InMemoryEditLedgerOptions _options;
    private readonly IEqualityComparer<TCommand> _comparer;
    private readonly IScheduler _scheduler;
    private int _completedCount;

    /// <summary>Initializes a ledger with the default options, on the system clock.</summary>
    public InMemoryEditLedger()
        : this(InMemoryEditLedgerOptions.Default)
    {
    }

    /// <summary>Initializes a ledger with <paramref name="options"/>, measuring expiry on <see cref="InMemoryEditLedgerOptions.TimeProvider"/>.</summary>
    /// <param name="options">The capacity, expiry and clock.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public InMemoryEditLedger(InMemoryEditLedgerOptions options)
        : this(options, TimeProviderScheduler.From(options?.TimeProvider ?? TimeProvider.System))
    {
    }

    /// <summary>Initializes a ledger with <paramref name="options"/>, measuring expiry on <paramref name="scheduler"/>.</summary>
    /// <param name="options">The capacity and expiry.</param>
    /// <param name="scheduler">The clock of the expiry; a virtual-time scheduler in tests.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public InMemoryEditLedger(InMemoryEditLedgerOptions options, IScheduler scheduler)
        : this(options, EqualityComparer<TCommand>.Default, scheduler)
    {
    }

    /// <summary>Initializes a ledger with <paramref name="options"/> and a command comparer, measuring expiry on <paramref name="scheduler"/>.</summary>
    /// <param name="options">The capacity and expiry.</param>
    /// <param name="commandComparer">Decides whether a resend carries the same command as the first request.</param>
    /// <param name="scheduler">The clock of the expiry; a virtual-time scheduler in tests.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public InMemoryEditLedger(InMemoryEditLedgerOptions options, IEqualityComparer<TCommand> commandComparer, IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(commandComparer);
        ArgumentNullException.ThrowIfNull(scheduler);
        options.Validate();
        _options = options;
        _comparer = commandComparer;
        _scheduler = scheduler;
    }

    /// <summary>Gets the number of entries remembered: completed ones plus those in progress.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                Evict(_scheduler.Now);
                return _entries.Count;
            }
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="attempt"/> is less than 1.</exception>
    public ValueTask<EditClaim> ClaimAsync(EditId id, int attempt, TCommand command, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            Evict(_scheduler.Now);
            if (!_entries.TryGetValue(id, out var entry))
            {
                entry = new Entry(id, attempt, command);
                _entries.Add(id, entry);
                return new(new EditClaim(isOwner: true, entry.Outcome.Task));
            }

            if (!_comparer.Equals(entry.Command, command))
            {
                // A rejected attempt had no effect: a later attempt may carry a corrected command.
                if (!(entry.IsRejected && attempt > entry.Attempt))
                {
                    return new(new EditClaim(isOwner: false, Task.FromResult(EditOutcome.Rejected(new RemoteError(
                        RemoteErrorCodes.ConflictingCommand,
                        "This edit id was already used with a different command.")))));
                }
            }

            if (entry.IsRejected && attempt > entry.Attempt)
            {
                Reclaim(entry, attempt, command);
                return new(new EditClaim(isOwner: true, entry.Outcome.Task));
            }

            return new(new EditClaim(isOwner: false, entry.Outcome.Task));
        }
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">There is no owned claim in progress for this id and attempt.</exception>
    public ValueTask CompleteAsync(EditId id, int attempt, EditOutcome outcome, CancellationToken cancellationToken)
    {
        TaskCompletionSource<EditOutcome> completion;
        lock (_gate)
        {
            var entry = GetInProgress(id, attempt);
            entry.IsCompleted = true;
            entry.IsRejected = !outcome.IsAccepted;
            entry.CompletedAt = _scheduler.Now;
            completion = entry.Outcome;
            _completed.Enqueue((entry, entry.Version));
            _completedCount++;
            Evict(entry.CompletedAt);
        }

        completion.TrySetResult(outcome);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">There is no owned claim in progress for this id and attempt.</exception>
    public ValueTask AbandonAsync(EditId id, int attempt, CancellationToken cancellationToken)
    {
        TaskCompletionSource<EditOutcome> completion;
        lock (_gate)
        {
            var entry = GetInProgress(id, attempt);
            _entries.Remove(id);
            completion = entry.Outcome;
        }

        completion.TrySetCanceled(CancellationToken.None);
        return ValueTask.CompletedTask;
    }

    private static TaskCompletionSource<EditOutcome> NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Entry GetInProgress(EditId id, int attempt) =>
        _entries.TryGetValue(id, out var entry) && !entry.IsCompleted && entry.Attempt == attempt
            ? entry
            : throw new InvalidOperationException($"No run of edit {id} attempt {attempt} is in progress.");

    private void Reclaim(Entry entry, int attempt, TCommand command)
    {
        // The entry leaves the completed queue lazily: its queued version no longer matches.
        entry.Version++;
        _completedCount--;
        entry.Attempt = attempt;
        entry.Command = command;
        entry.IsCompleted = false;
        entry.IsRejected = false;
        entry.Outcome = NewCompletion();
    }

    private void Evict(DateTimeOffset now)
    {
        while (_completed.TryPeek(out var head))
        {
            var (entry, version) = head;
            var stale = entry.Version != version;
            var expired = _options.Expiry != Timeout.InfiniteTimeSpan && now - entry.CompletedAt >= _options.Expiry;
            // The queue holds at most twice the capacity, stale versions included, so that retries cannot grow it.
            if (!stale && !expired && _completedCount <= _options.Capacity && _completed.Count <= 2 * _options.Capacity)
            {
                return;
            }

            _completed.Dequeue();
            if (!stale)
            {
                _entries.Remove(entry.Id);
                _completedCount--;
            }
        }
    }

    private sealed class Entry(EditId id, int attempt, TCommand command)
    {
        public EditId Id { get; } = id;

        public int Attempt { get; set; } = attempt;

        public TCommand Command { get; set; } = command;

        public bool IsCompleted { get; set; }

        public bool IsRejected { get; set; }

        public DateTimeOffset CompletedAt { get; set; }

        public long Version { get; set; }

        public TaskCompletionSource<EditOutcome> Outcome { get; set; } = NewCompletion();
    }
}
