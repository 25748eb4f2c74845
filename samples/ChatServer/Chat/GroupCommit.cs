namespace ChatServer.Chat;

/// <summary>Commits items in groups: an item that arrives while a commit is under way waits, with every other item that
/// arrives meanwhile, for the next commit, so that sends arriving together share one transaction and one disk flush.</summary>
/// <typeparam name="TItem">What is committed.</typeparam>
/// <typeparam name="TResult">What the commit gives back for each item.</typeparam>
/// <remarks>
/// <para>The first item to find no commit under way commits at once, on its caller's thread, so a lone item waits for
/// nothing. Each later group is committed on the thread pool, in arrival order, one group at a time; a group holds at
/// most <c>maxGroup</c> items. Each item's task completes after its group's commit returned, with that item's result, or
/// with the commit's exception for every item of the group (nothing of a failed group is committed).</para>
/// <para>Thread safety: <see cref="CommitAsync"/> may be called from any thread.</para>
/// </remarks>
/// <param name="commit">Commits one group, all or nothing, and returns one result per item, in order.</param>
/// <param name="maxGroup">The most items committed together.</param>
public sealed class GroupCommit<TItem, TResult>(Func<IReadOnlyList<TItem>, IReadOnlyList<TResult>> commit, int maxGroup)
{
    private readonly object _gate = new();
    private readonly Queue<(TItem Item, TaskCompletionSource<TResult> Done)> _waiting = new();
    private bool _committing;

    /// <summary>Gets how many items wait for a commit (the group under way not counted).</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>Commits <paramref name="item"/> with the items waiting beside it.</summary>
    /// <param name="item">The item.</param>
    /// <returns>Its result, once its group is committed.</returns>
    public Task<TResult> CommitAsync(TItem item)
    {
        // Run asynchronously: a completion must not run the next item's handler on the committing thread.
        var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool lead;
        lock (_gate)
        {
            _waiting.Enqueue((item, done));
            lead = !_committing;
            _committing = true;
        }

        if (lead)
        {
            CommitNextGroup();
        }

        return done.Task;
    }

    // Commits the items waiting now (at most maxGroup); if more arrived meanwhile, queues the next group's commit.
    private void CommitNextGroup()
    {
        var group = new List<(TItem Item, TaskCompletionSource<TResult> Done)>();
        lock (_gate)
        {
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
        lock (_gate)
        {
            more = _waiting.Count > 0;
            _committing = more;
        }

        if (more)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static self => self.CommitNextGroup(), this, preferLocal: false);
        }
    }
}
