using System.Reactive.Concurrency;

namespace Reactive.Edits.Testing;

/// <summary>Provides virtual time for deterministic tests of edit lifecycles: nothing happens until the test advances the clock.</summary>
/// <remarks>
/// <para>Pass it wherever the library takes an <see cref="IScheduler"/> (an <see cref="EditSet{T}"/>, a commit timeout):
/// scheduled work runs, in due-time order, on the thread that calls <see cref="AdvanceBy(TimeSpan)"/> or
/// <see cref="AdvanceTo(DateTimeOffset)"/>, and <see cref="IScheduler.Now"/> is the virtual time.</para>
/// <para>Time starts at <see cref="Epoch"/> (2000-01-01 UTC) so that timestamps in test output are stable.</para>
/// <example>
/// <code>
/// var clock = new TestClock();
/// using var edits = new EditSet&lt;string&gt;(EditSetOptions.Default, clock);
/// using var committer = edits.Commit((_, _, ct) =&gt; Task.Delay(Timeout.Infinite, ct), TimeSpan.FromSeconds(5));
/// var edit = edits.Request("hi");
/// clock.AdvanceBy(TimeSpan.FromSeconds(5));   // the attempt is now rejected with an EditTimeoutException
/// </code>
/// </example>
/// </remarks>
public sealed class TestClock : VirtualTimeScheduler<long, long>
{
    /// <summary>The instant virtual time starts at: 2000-01-01T00:00:00Z.</summary>
    public static readonly DateTimeOffset Epoch = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Initializes a clock at <see cref="Epoch"/>.</summary>
    public TestClock()
        : base(0L, Comparer<long>.Default)
    {
    }

    /// <summary>Gets the virtual time elapsed since <see cref="Epoch"/>.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(Clock);

    /// <summary>Runs every item due within <paramref name="duration"/> from now, and moves the clock forward by it.</summary>
    /// <param name="duration">How far to move, not negative.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative.</exception>
    public void AdvanceBy(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        AdvanceBy(duration.Ticks);
    }

    /// <summary>Runs every item due up to <paramref name="instant"/>, and moves the clock to it.</summary>
    /// <param name="instant">The instant to move to, not before now.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="instant"/> is before the current virtual time.</exception>
    public void AdvanceTo(DateTimeOffset instant)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(instant, Now);
        AdvanceTo((instant - Epoch).Ticks);
    }

    /// <inheritdoc/>
    protected override long Add(long absolute, long relative) => absolute + relative;

    /// <inheritdoc/>
    protected override DateTimeOffset ToDateTimeOffset(long absolute) => Epoch.AddTicks(absolute);

    /// <inheritdoc/>
    protected override long ToRelative(TimeSpan timeSpan) => timeSpan.Ticks;
}
