namespace ChatServer.Chat;

/// <summary>Commits items in groups: an item that arrives while a commit is under way, or soon after one began, waits,
/// with every other item that arrives meanwhile, for the next commit, so that sends arriving together share one
/// transaction, one disk flush and one broadcast frame.</summary>
/// <typeparam name="TItem">What is committed.</typeparam>
/// <typeparam name="TResult">What the commit gives back for each item.</typeparam>
/// <remarks>
/// <para>Commits begin at least <c>window</c> apart. An item that finds no commit under way and none begun within the
/// window commits at once, on its caller's thread, so a lone item waits for nothing. Otherwise it waits until the
/// window after the last commit's beginning has passed (or that commit has ended, if it took longer), and is committed
/// then with everything that arrived meanwhile: an item waits at most one window plus the commit before it. Groups are
/// committed one at a time, in arrival order, each of at most <c>maxGroup</c> items, later ones on the thread pool or
/// the clock's timer. Each item's task completes after its group's commit returned, with that item's result, or with
/// the commit's exception for every item of the group (nothing of a failed group is committed).</para>
/// <para>Thread safety: <see cref="CommitAsync"/> may be called from any thread.</para>
/// </remarks>
/// <param name="commit">Commits one group, all or nothing, and returns one result per item, in order.</param>
/// <param name="maxGroup">The most items committed together.</param>
/// <param name="window">The least time from one commit's beginning to the next; <see cref="TimeSpan.Zero"/> groups only
/// the items that arrive while a commit runs.</param>
/// <param name="time">The clock of the window.</param>
public sealed class GroupCommit<TItem, TResult>(Func<IReadOnlyList<TItem>, IReadOnlyList<TResult>> commit, int maxGroup, TimeSpan window, TimeProvider time) : IDisposable
{
    private readonly object _gate = new();
    private readonly Queue<(TItem Item, TaskCompletionSource<TResult> Done)> _waiting = new();
    private bool _committing;
    private long _lastBegan = long.MinValue;
    private ITimer? _timer;
    private bool _disposed;

    /// <summary>Initializes a group commit without a window: only the items that arrive during a commit wait for the next.</summary>
    /// <param name="commit">Commits one group, all or nothing, and returns one result per item, in order.</param>
    /// <param name="maxGroup">The most items committed together.</param>
    public GroupCommit(Func<IReadOnlyList<TItem>, IReadOnlyList<TResult>> commit, int maxGroup)
        : this(commit, maxGroup, TimeSpan.Zero, TimeProvider.System)
    {
    }

    /// <summary>Raised when an item starts waiting behind a commit under way, with how many items wait now (that item
    /// included); raised on the caller's thread, outside the lock. For tests that must know an item is queued before they
    /// go on.</summary>
    internal event Action<int>? Queued;

    /// <summary>Commits <paramref name="item"/> with the items waiting beside it.</summary>
    /// <param name="item">The item.</param>
    /// <returns>Its result, once its group is committed.</returns>
    public Task<TResult> CommitAsync(TItem item)
    {
        // Run asynchronously: a completion must not run the next item's handler on the committing thread.
        var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        TimeSpan wait;
        int queuedBehind;
        lock (_gate)
        {
            _waiting.Enqueue((item, done));
            queuedBehind = _committing ? _waiting.Count : 0;
            _committing = true;
            wait = queuedBehind > 0 ? TimeSpan.Zero : UntilWindowEnds();
        }

        if (queuedBehind > 0)
        {
            // A commit is under way; the item goes with the group after it.
            Queued?.Invoke(queuedBehind);
        }
        else if (wait <= TimeSpan.Zero)
        {
            CommitNextGroup();
        }
        else
        {
            Schedule(wait);
        }

        return done.Task;
    }

    /// <summary>Stops the window's timer; items still waiting for it are not committed.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }
    }

    // Commits the items waiting now (at most maxGroup); if more arrived meanwhile, schedules the next group's commit.
    private void CommitNextGroup()
    {
        var group = new List<(TItem Item, TaskCompletionSource<TResult> Done)>();
        lock (_gate)
        {
            _lastBegan = time.GetTimestamp();
            while (group.Count < maxGroup && _waiting.TryDequeue(out var next))
            {
                group.Add(next);
            }
        }

        try
        {
            var results = commit(group.ConvertAll(static waiting => waiting.Item));
            for (var i = 0; i < group.Count; i++)
            {
                group[i].Done.TrySetResult(results[i]);
            }
        }
#pragma warning disable CA1031 // The commit's failure is every item's: each caller sees it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            foreach (var waiting in group)
            {
                waiting.Done.TrySetException(ex);
            }
        }

        bool more;
        TimeSpan wait;
        lock (_gate)
        {
            more = _waiting.Count > 0;
            _committing = more;
            wait = UntilWindowEnds();
        }

        if (!more)
        {
            return;
        }

        if (wait <= TimeSpan.Zero)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static self => self.CommitNextGroup(), this, preferLocal: false);
        }
        else
        {
            Schedule(wait);
        }
    }

    // How long until the window after the last commit's beginning ends; zero or less when it has. Called under the gate.
    private TimeSpan UntilWindowEnds() =>
        window <= TimeSpan.Zero || _lastBegan == long.MinValue ? TimeSpan.Zero : window - time.GetElapsedTime(_lastBegan);

    private void Schedule(TimeSpan wait)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _timer ??= time.CreateTimer(static self => ((GroupCommit<TItem, TResult>)self!).CommitNextGroup(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timer.Change(wait, Timeout.InfiniteTimeSpan);
        }
    }
}
