namespace Reactive.Edits;

/// <summary>Runs work items one at a time, in the order they were queued, without nesting: an item queued while another runs (also from inside it) waits its turn.</summary>
/// <typeparam name="TWork">What one work item carries; a small struct, so that queuing one allocates nothing.</typeparam>
/// <remarks>
/// <para>The same contract as Rx's <c>AsyncLock</c>, whose <c>Wait(Action)</c> would need a closure per item. It is the
/// one drain loop of the library: the change-set source, the optimistic merge and the remote client deliver through it.</para>
/// <para>The caller that finds the queue idle runs its item and then everything queued meanwhile, outside the gate.
/// An owner with a lock of its own passes it as the gate and queues under it with <see cref="TryBeginDirect"/> and
/// <see cref="Enqueue"/>, so that items are queued in the order the owner's state changed, then calls
/// <see cref="Drain()"/> after leaving it.</para>
/// <para>If an item throws, the exception propagates to the caller that was draining. With
/// <see cref="SerialQueueFault.StopForever"/> the queue is cleared and every later item is ignored; with
/// <see cref="SerialQueueFault.KeepQueued"/> the items behind it stay queued for the next caller to drain.</para>
/// </remarks>
internal sealed class SerialQueue<TWork>
{
    private readonly object _gate;
    private readonly Action<TWork> _execute;
    private readonly SerialQueueFault _onFault;
    private readonly Queue<TWork> _pending = new();
    private bool _running;
    private bool _faulted;

    /// <summary>Initializes a queue with a gate of its own that stops for good when an item throws.</summary>
    public SerialQueue(Action<TWork> execute)
        : this(new object(), execute, SerialQueueFault.StopForever)
    {
    }

    /// <summary>Initializes a queue that queues under <paramref name="gate"/>, its owner's lock.</summary>
    public SerialQueue(object gate, Action<TWork> execute, SerialQueueFault onFault)
    {
        _gate = gate;
        _execute = execute;
        _onFault = onFault;
    }

    /// <summary>Runs <paramref name="work"/> now if the queue is idle, then whatever was queued meanwhile; otherwise queues it.</summary>
    public void Run(TWork work)
    {
        bool direct;
        lock (_gate)
        {
            direct = TryBeginDirect();
            if (!direct && !Enqueue(work))
            {
                return;
            }
        }

        if (direct)
        {
            Drain(work);
        }
        else
        {
            Drain();
        }
    }

    /// <summary>Under the gate: claims the queue for an item that the caller runs itself with <see cref="Drain(TWork)"/>, when nothing runs or waits.</summary>
    /// <returns><see langword="true"/> if the caller now owns the drain and must call <see cref="Drain(TWork)"/> after leaving the gate.</returns>
    public bool TryBeginDirect()
    {
        if (_running || _faulted || _pending.Count > 0)
        {
            return false;
        }

        _running = true;
        return true;
    }

    /// <summary>Under the gate: queues an item.</summary>
    /// <returns><see langword="true"/> if nothing was draining, so the caller must call <see cref="Drain()"/> after leaving the gate.</returns>
    public bool Enqueue(TWork work)
    {
        if (_faulted)
        {
            return false;
        }

        _pending.Enqueue(work);
        if (_running)
        {
            return false;
        }

        _running = true;
        return true;
    }

    /// <summary>Outside the gate, after <see cref="TryBeginDirect"/>: runs <paramref name="first"/>, then everything queued until the queue is empty.</summary>
    public void Drain(TWork first)
    {
        Execute(first);
        Drain();
    }

    /// <summary>Outside the gate, after <see cref="Enqueue"/> returned <see langword="true"/>: runs everything queued until the queue is empty.</summary>
    public void Drain()
    {
        while (true)
        {
            TWork next;
            lock (_gate)
            {
                if (!_pending.TryDequeue(out next!))
                {
                    _running = false;
                    return;
                }
            }

            Execute(next);
        }
    }

    private void Execute(TWork work)
    {
        try
        {
            _execute(work);
        }
        catch
        {
            lock (_gate)
            {
                _running = false;
                if (_onFault == SerialQueueFault.StopForever)
                {
                    _pending.Clear();
                    _faulted = true;
                }
            }

            throw;
        }
    }
}
