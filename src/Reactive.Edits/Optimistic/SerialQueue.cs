namespace Reactive.Edits.Optimistic;

/// <summary>Runs work items one at a time, in arrival order, without nesting: a call made while another runs (also from inside it) is queued.</summary>
/// <typeparam name="TWork">What one work item carries; a small struct, so that queuing one allocates nothing.</typeparam>
/// <remarks>
/// The same contract as Rx's <c>AsyncLock</c>, whose <c>Wait(Action)</c> would need a closure per notification. The
/// caller that finds the queue idle runs its item and then everything queued meanwhile, outside the gate. If an item
/// throws, the queue is cleared, the exception propagates to that caller, and every later item is ignored.
/// </remarks>
internal sealed class SerialQueue<TWork>(Action<TWork> execute)
{
    private readonly object _gate = new();
    private readonly Queue<TWork> _pending = new();
    private bool _running;
    private bool _faulted;

    public void Run(TWork work)
    {
        lock (_gate)
        {
            if (_faulted)
            {
                return;
            }

            if (_running)
            {
                _pending.Enqueue(work);
                return;
            }

            _running = true;
        }

        while (true)
        {
            try
            {
                execute(work);
            }
            catch
            {
                lock (_gate)
                {
                    _pending.Clear();
                    _faulted = true;
                    _running = false;
                }

                throw;
            }

            lock (_gate)
            {
                if (!_pending.TryDequeue(out work!))
                {
                    _running = false;
                    return;
                }
            }
        }
    }
}
