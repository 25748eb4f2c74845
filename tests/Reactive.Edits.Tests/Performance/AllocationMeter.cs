namespace Reactive.Edits.Tests.Performance;

/// <summary>Measures the bytes one operation allocates on the calling thread, averaged over many operations after a warm-up.</summary>
/// <remarks>
/// Counts bytes, never time, so the result is the same on a fast or a busy machine. Everything the library does for an
/// edit, change set or merge step happens synchronously on the calling thread, so the thread's allocation counter sees
/// all of it. The warm-up runs type initializers, JIT compilation and the growth of internal queues and dictionaries,
/// which are one-off costs, not costs per operation.
/// </remarks>
internal static class AllocationMeter
{
    public const int WarmUp = 2_000;

    public const int Operations = 20_000;

    public static double BytesPerOperation<TState>(TState state, Action<TState, int> operation)
    {
        for (var i = 0; i < WarmUp; i++)
        {
            operation(state, i);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Operations; i++)
        {
            operation(state, i);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Operations;
    }
}
