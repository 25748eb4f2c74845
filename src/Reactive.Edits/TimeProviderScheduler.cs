using System.Reactive.Concurrency;
using System.Reactive.Disposables;

namespace Reactive.Edits;

/// <summary>Runs Rx scheduling on a <see cref="TimeProvider"/>: its clock is <see cref="IScheduler.Now"/> and its timers run the due work.</summary>
/// <remarks>
/// The library's public types accept a <see cref="TimeProvider"/> wherever they accept an <see cref="IScheduler"/>, so
/// that an app (or a test with <c>FakeTimeProvider</c>) has one clock; the Rx operators inside still need a scheduler,
/// and this is it. Work due now is run on the thread pool, never inline, as <see cref="DefaultScheduler"/> does.
/// </remarks>
internal sealed class TimeProviderScheduler(TimeProvider timeProvider) : IScheduler
{
    public TimeProvider TimeProvider { get; } = timeProvider;

    public DateTimeOffset Now => TimeProvider.GetUtcNow();

    /// <summary>Returns the scheduler of a time provider: the system's default scheduler for <see cref="TimeProvider.System"/>, an adapter otherwise.</summary>
    public static IScheduler From(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        return ReferenceEquals(timeProvider, TimeProvider.System) ? DefaultScheduler.Instance : new TimeProviderScheduler(timeProvider);
    }

    public IDisposable Schedule<TState>(TState state, Func<IScheduler, TState, IDisposable> action) =>
        Schedule(state, TimeSpan.Zero, action);

    public IDisposable Schedule<TState>(TState state, DateTimeOffset dueTime, Func<IScheduler, TState, IDisposable> action) =>
        Schedule(state, dueTime - Now, action);

    public IDisposable Schedule<TState>(TState state, TimeSpan dueTime, Func<IScheduler, TState, IDisposable> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var work = new ScheduledWork<TState>(this, state, action);
        work.Start(dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime);
        return work;
    }

    // One timer per work item; disposing the work disposes the timer and whatever the action returned.
    private sealed class ScheduledWork<TState>(TimeProviderScheduler scheduler, TState state, Func<IScheduler, TState, IDisposable> action) : IDisposable
    {
        private readonly SingleAssignmentDisposable _result = new();
        private ITimer? _timer;
        private int _state; // 0 waiting, 1 ran or running, 2 disposed

        public void Start(TimeSpan dueTime)
        {
            var timer = scheduler.TimeProvider.CreateTimer(static self => ((ScheduledWork<TState>)self!).Run(), this, dueTime, Timeout.InfiniteTimeSpan);
            if (Interlocked.CompareExchange(ref _timer, timer, null) is not null || Volatile.Read(ref _state) != 0)
            {
                timer.Dispose();
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _state, 2) == 2)
            {
                return;
            }

            Interlocked.Exchange(ref _timer, DisposedTimer.Instance)?.Dispose();
            _result.Dispose();
        }

        private void Run()
        {
            if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
            {
                return;
            }

            Interlocked.Exchange(ref _timer, DisposedTimer.Instance)?.Dispose();
            _result.Disposable = action(scheduler, state);
        }
    }

    // Marks a work item's timer slot as closed, so a timer created after the work ran or was disposed is disposed at once.
    private sealed class DisposedTimer : ITimer
    {
        public static readonly DisposedTimer Instance = new();

        public bool Change(TimeSpan dueTime, TimeSpan period) => false;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
