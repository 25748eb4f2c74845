using System.Threading.Channels;
using System.Threading.Tasks.Sources;

namespace Reactive.Edits.Remote;

/// <summary>The outbox of a <see cref="RemoteEditConnection"/>: a bounded FIFO that one send loop reads.</summary>
/// <remarks>
/// <para>Made for what a connection is most of its life on a server with many clients: idle, with its send loop waiting.
/// It is a queue and a flag; the pending wait is the outbox itself, a reusable <see cref="IValueTaskSource{TResult}"/>,
/// so waiting allocates nothing but the cancellation registration. A bounded <see cref="Channel{T}"/> in its place kept
/// about 700 bytes of reader, writer and cached waiter objects per connection (measured with <c>dotnet-gcdump</c>, see
/// docs/benchmarks.md).</para>
/// <para>Writes never wait: <see cref="TryWrite"/> refuses when the outbox is full or completed. Items queued before
/// <see cref="TryComplete"/> can still be read. One reader at a time: a second wait while one is pending throws
/// <see cref="InvalidOperationException"/>. Continuations run asynchronously, so a post never runs the send loop inline.</para>
/// </remarks>
internal sealed class ConnectionOutbox : ChannelReader<ChannelMessage>, IValueTaskSource<bool>
{
    private readonly Queue<ChannelMessage> _items = new();
    private readonly int _capacity;
    private ManualResetValueTaskSourceCore<bool> _wait = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _waitCancellation;
    private bool _waiting;
    private bool _completed;

    // Made only if someone asks for Completion.
    private TaskCompletionSource? _completion;

    public ConnectionOutbox(int capacity)
    {
        _capacity = capacity;
    }

    /// <inheritdoc/>
    public override bool CanCount => true;

    /// <inheritdoc/>
    public override bool CanPeek => true;

    /// <inheritdoc/>
    public override int Count
    {
        get
        {
            lock (_items)
            {
                return _items.Count;
            }
        }
    }

    /// <inheritdoc/>
    public override Task Completion
    {
        get
        {
            lock (_items)
            {
                if (_completed && _items.Count == 0)
                {
                    return Task.CompletedTask;
                }

                return (_completion ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
        }
    }

    /// <summary>Queues <paramref name="message"/>, waking the reader if it waits.</summary>
    /// <returns><see langword="false"/> if the outbox is full or completed.</returns>
    public bool TryWrite(ChannelMessage message)
    {
        CancellationTokenRegistration registration;
        lock (_items)
        {
            if (_completed || _items.Count >= _capacity)
            {
                return false;
            }

            _items.Enqueue(message);
            if (!TakeWait(out registration))
            {
                return true;
            }
        }

        EndWait(registration, true);
        return true;
    }

    /// <summary>Refuses later writes; the reader reads what is queued, then sees the end.</summary>
    public void TryComplete()
    {
        CancellationTokenRegistration registration;
        TaskCompletionSource? completion = null;
        bool wake;
        lock (_items)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            if (_items.Count == 0)
            {
                completion = _completion;
            }

            // A waiting reader means an empty outbox: its wait ends with false.
            wake = TakeWait(out registration);
        }

        completion?.TrySetResult();
        if (wake)
        {
            EndWait(registration, false);
        }
    }

    /// <inheritdoc/>
    public override bool TryRead(out ChannelMessage item)
    {
        TaskCompletionSource? completion = null;
        lock (_items)
        {
            if (!_items.TryDequeue(out item))
            {
                return false;
            }

            if (_completed && _items.Count == 0)
            {
                completion = _completion;
            }
        }

        completion?.TrySetResult();
        return true;
    }

    /// <inheritdoc/>
    public override bool TryPeek(out ChannelMessage item)
    {
        lock (_items)
        {
            return _items.TryPeek(out item);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Another wait is pending: the outbox has one reader.</exception>
    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<bool>(cancellationToken);
        }

        lock (_items)
        {
            if (_items.Count > 0)
            {
                return new ValueTask<bool>(true);
            }

            if (_completed)
            {
                return new ValueTask<bool>(false);
            }

            if (_waiting)
            {
                throw new InvalidOperationException("A connection's outbox has one reader: a wait is already pending.");
            }

            _waiting = true;
            var version = _wait.Version;

            // Registered under the lock, so that a writer that takes the wait finds the registration to undo. A token
            // cancelled meanwhile runs the callback here, on this thread, and the lock lets it in.
            if (cancellationToken.CanBeCanceled)
            {
                _waitCancellation = cancellationToken.UnsafeRegister(static (state, token) => ((ConnectionOutbox)state!).CancelWait(token), this);
            }

            return new ValueTask<bool>(this, version);
        }
    }

    bool IValueTaskSource<bool>.GetResult(short token)
    {
        try
        {
            return _wait.GetResult(token);
        }
        finally
        {
            // The reader has its answer: the next wait may start.
            _wait.Reset();
        }
    }

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _wait.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _wait.OnCompleted(continuation, state, token, flags);

    // Under the lock: ends the pending wait, if any, for the caller to complete outside the lock.
    private bool TakeWait(out CancellationTokenRegistration registration)
    {
        registration = _waitCancellation;
        _waitCancellation = default;
        if (!_waiting)
        {
            return false;
        }

        _waiting = false;
        return true;
    }

    // Outside the lock, after TakeWait: the registration is undone without waiting for a callback that may be running
    // (it finds the wait taken and returns), then the reader is answered.
    private void EndWait(CancellationTokenRegistration registration, bool result)
    {
        registration.Unregister();
        _wait.SetResult(result);
    }

    private void CancelWait(CancellationToken token)
    {
        lock (_items)
        {
            if (!TakeWait(out _))
            {
                return;
            }
        }

        _wait.SetException(new OperationCanceledException(token));
    }
}
