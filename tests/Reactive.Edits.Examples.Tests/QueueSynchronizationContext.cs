namespace Reactive.Edits.Examples.Tests;

/// <summary>Stands for a UI thread's synchronization context: posted work waits until the test runs it.</summary>
internal sealed class QueueSynchronizationContext : SynchronizationContext
{
    private readonly Queue<(SendOrPostCallback Callback, object? State)> _pending = new();

    /// <summary>Gets a value indicating whether <see cref="RunPending"/> is running posted work right now.</summary>
    public bool IsRunning { get; private set; }

    public override void Post(SendOrPostCallback d, object? state)
    {
        lock (_pending)
        {
            _pending.Enqueue((d, state));
        }
    }

    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException("The examples only post.");

    /// <summary>Runs the posted work, in order, on the calling thread, until none is left.</summary>
    public void RunPending()
    {
        while (true)
        {
            (SendOrPostCallback Callback, object? State) next;
            lock (_pending)
            {
                if (!_pending.TryDequeue(out next))
                {
                    return;
                }
            }

            IsRunning = true;
            try
            {
                next.Callback(next.State);
            }
            finally
            {
                IsRunning = false;
            }
        }
    }
}
