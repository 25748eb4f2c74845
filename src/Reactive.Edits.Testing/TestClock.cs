using System.Reactive.Concurrency;

namespace Reactive.Edits.Testing;

/// <summary>Provides virtual time for deterministic tests of edit lifecycles: nothing happens until the test advances the clock.</summary>
/// <remarks>
/// <para>Pass it wherever the library takes an <see cref="IScheduler"/> (an <see cref="EditSet{T}"/>,
/// <see cref="CommitOptions.Scheduler"/>), and its <see cref="TimeProvider"/> wherever code keeps time with a
/// <see cref="System.TimeProvider"/>: both are the same clock. Scheduled work and timers run, in due-time order, on the
/// thread that calls <see cref="AdvanceBy(TimeSpan)"/> or <see cref="AdvanceTo(DateTimeOffset)"/>, and
/// <see cref="IScheduler.Now"/> is the virtual time.</para>
/// <para>Time starts at <see cref="Epoch"/> (2000-01-01 UTC) so that timestamps in test output are stable.</para>
/// <para>Not thread-safe for advancing: advance from one thread at a time. Scheduling is safe from any thread.</para>
/// <example>
/// <code>
/// var clock = new TestClock();
/// using var edits = new EditSet&lt;string&gt;(EditSetOptions.Default, clock);
/// using var committer = edits.Commit((_, _, ct) =&gt; Task.Delay(Timeout.Infinite, ct), new CommitOptions { Timeout = TimeSpan.FromSeconds(5) });
/// var edit = edits.Request("hi");
/// clock.AdvanceBy(TimeSpan.FromSeconds(5));   // the attempt is now rejected with an EditTimeoutException
/// </code>
/// </example>
/// </remarks>
public sealed class TestClock : IScheduler, IServiceProvider
{
    /// <summary>The instant virtual time starts at: 2000-01-01T00:00:00Z.</summary>
    public static readonly DateTimeOffset Epoch = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly VirtualClock _clock = new();

    /// <summary>Initializes a clock at <see cref="Epoch"/>.</summary>
    public TestClock()
    {
        TimeProvider = new VirtualTimeProvider(this);
    }

    /// <summary>Gets the current virtual time.</summary>
    public DateTimeOffset Now => _clock.Now;

    /// <summary>Gets the virtual time elapsed since <see cref="Epoch"/>.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(_clock.Clock);

    /// <summary>Gets this clock as a <see cref="System.TimeProvider"/>: its time is <see cref="Now"/>, and its timers run when the clock is advanced past their due time, in order with the scheduled work.</summary>
    /// <remarks>Its timestamps are ticks of virtual time since <see cref="Epoch"/> (<see cref="System.TimeProvider.TimestampFrequency"/> is <see cref="TimeSpan.TicksPerSecond"/>); its local time zone is UTC.</remarks>
    public TimeProvider TimeProvider { get; }

    /// <summary>Runs every item due up to <paramref name="duration"/> from now, including what is due now, and moves the clock forward by it.</summary>
    /// <param name="duration">How far to move, not negative; <see cref="TimeSpan.Zero"/> runs what is due now.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative.</exception>
    public void AdvanceBy(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        _clock.RunUntil(_clock.Clock + duration.Ticks);
    }

    /// <summary>Runs every item due up to <paramref name="instant"/>, including what is due now, and moves the clock to it.</summary>
    /// <param name="instant">The instant to move to, not before now; <see cref="Now"/> runs what is due now.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="instant"/> is before the current virtual time.</exception>
    public void AdvanceTo(DateTimeOffset instant)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(instant, Now);
        _clock.RunUntil((instant - Epoch).Ticks);
    }

    /// <inheritdoc/>
    public IDisposable Schedule<TState>(TState state, Func<IScheduler, TState, IDisposable> action) =>
        _clock.Schedule((Clock: this, State: state, Action: action), static (_, work) => work.Action(work.Clock, work.State));

    /// <inheritdoc/>
    public IDisposable Schedule<TState>(TState state, TimeSpan dueTime, Func<IScheduler, TState, IDisposable> action) =>
        _clock.Schedule((Clock: this, State: state, Action: action), dueTime, static (_, work) => work.Action(work.Clock, work.State));

    /// <inheritdoc/>
    public IDisposable Schedule<TState>(TState state, DateTimeOffset dueTime, Func<IScheduler, TState, IDisposable> action) =>
        _clock.Schedule((Clock: this, State: state, Action: action), dueTime, static (_, work) => work.Action(work.Clock, work.State));

    /// <summary>Gets the clock's optional scheduler services (a stopwatch in virtual time, periodic scheduling), as Rx operators ask for them.</summary>
    /// <param name="serviceType">The service's type.</param>
    /// <returns>The service, or <see langword="null"/> if the clock has none of that type.</returns>
    public object? GetService(Type serviceType) => ((IServiceProvider)_clock).GetService(serviceType);

    // Rx's virtual-time scheduler, with an advance that also runs what is due at the target itself: Rx's own AdvanceBy
    // and AdvanceTo return without running anything when the target is the current time.
    private sealed class VirtualClock() : VirtualTimeScheduler<long, long>(0L, Comparer<long>.Default)
    {
        public void RunUntil(long target)
        {
            while (GetNext() is { } next && next.DueTime <= target)
            {
                if (next.DueTime > Clock)
                {
                    Clock = next.DueTime;
                }

                next.Invoke();
            }

            Clock = target;
        }

        protected override long Add(long absolute, long relative) => absolute + relative;

        protected override DateTimeOffset ToDateTimeOffset(long absolute) => Epoch.AddTicks(absolute);

        protected override long ToRelative(TimeSpan timeSpan) => timeSpan.Ticks;
    }

    // The same clock as a TimeProvider: each timer period is one item scheduled on the clock.
    private sealed class VirtualTimeProvider(TestClock clock) : TimeProvider
    {
        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override DateTimeOffset GetUtcNow() => clock.Now;

        public override long GetTimestamp() => clock._clock.Clock;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            ArgumentNullException.ThrowIfNull(callback);
            var timer = new VirtualTimer(clock, callback, state);
            timer.Change(dueTime, period);
            return timer;
        }
    }

    private sealed class VirtualTimer(TestClock clock, TimerCallback callback, object? state) : ITimer
    {
        private readonly object _gate = new();
        private IDisposable? _next;
        private TimeSpan _period = Timeout.InfiniteTimeSpan;
        private bool _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return false;
                }

                _next?.Dispose();
                _next = null;
                _period = period;
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    ScheduleNext(dueTime);
                }

                return true;
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _disposed = true;
                _next?.Dispose();
                _next = null;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private void ScheduleNext(TimeSpan dueTime) =>
            _next = clock._clock.Schedule(this, dueTime, static (_, timer) =>
            {
                timer.Fire();
                return System.Reactive.Disposables.Disposable.Empty;
            });

        private void Fire()
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                _next = null;
                if (_period != Timeout.InfiniteTimeSpan && _period > TimeSpan.Zero)
                {
                    ScheduleNext(_period);
                }
            }

            callback(state);
        }
    }
}
