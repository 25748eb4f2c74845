using System.Reactive.Concurrency;
using System.Reactive.Linq;
using Reactive.Edits.Testing;

namespace Reactive.Edits.Testing.Tests;

/// <summary>The virtual clock: nothing runs until advanced, and then in due-time order at the due time.</summary>
public sealed class TestClockTests
{
    private readonly TestClock _clock = new();
    private readonly List<(string Name, DateTimeOffset At)> _ran = [];

    [Fact]
    public void Constructor_StartsAtTheEpochWithNothingElapsed()
    {
        TestClock.Epoch.Should().Be(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero));
        _clock.Now.Should().Be(TestClock.Epoch);
        _clock.Elapsed.Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void Schedule_DueNow_DoesNotRunUntilTheClockIsAdvanced()
    {
        _clock.Schedule(() => Record("now"));

        _ran.Should().BeEmpty();
        _clock.AdvanceBy(TimeSpan.FromTicks(1));

        _ran.Should().Equal(("now", TestClock.Epoch));
    }

    [Fact]
    public void AdvanceBy_RunsDueItemsInDueTimeOrderAtTheirDueTimes_AndNoLaterOnes()
    {
        ScheduleAt("third", 3);
        ScheduleAt("first", 1);
        ScheduleAt("later", 10);
        ScheduleAt("second", 2);

        _clock.AdvanceBy(TimeSpan.FromSeconds(5));

        _ran.Should().Equal(("first", At(1)), ("second", At(2)), ("third", At(3)));
        _clock.Now.Should().Be(At(5));
        _clock.Elapsed.Should().Be(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void AdvanceBy_ItemScheduledByAnItem_RunsInTheSameAdvanceWhenDue()
    {
        _clock.Schedule(TimeSpan.FromSeconds(1), () =>
        {
            Record("outer");
            _clock.Schedule(TimeSpan.FromSeconds(1), () => Record("inner"));
        });

        _clock.AdvanceBy(TimeSpan.FromSeconds(3));

        _ran.Should().Equal(("outer", At(1)), ("inner", At(2)));
    }

    [Fact]
    public void AdvanceTo_RunsItemsDueUpToTheInstantAndMovesThere()
    {
        ScheduleAt("due", 4);
        ScheduleAt("after", 6);

        _clock.AdvanceTo(At(5));

        _ran.Should().Equal(("due", At(4)));
        _clock.Now.Should().Be(At(5));
    }

    [Fact]
    public void Schedule_AtAnAbsoluteTime_RunsThen()
    {
        _clock.Schedule(At(7), () => Record("absolute"));

        _clock.AdvanceBy(TimeSpan.FromSeconds(10));

        _ran.Should().Equal(("absolute", At(7)));
    }

    [Fact]
    public void Schedule_DisposedBeforeItIsDue_NeverRuns()
    {
        var scheduled = _clock.Schedule(TimeSpan.FromSeconds(1), () => Record("cancelled"));

        scheduled.Dispose();
        _clock.AdvanceBy(TimeSpan.FromSeconds(2));

        _ran.Should().BeEmpty();
    }

    [Fact]
    public void AdvanceBy_Zero_RunsWhatIsDueNow()
    {
        _clock.AdvanceBy(TimeSpan.FromSeconds(1));
        _clock.Schedule(() => Record("now"));
        ScheduleAt("later", 1);

        _clock.AdvanceBy(TimeSpan.Zero);

        _ran.Should().Equal(("now", At(1)));
        _clock.Now.Should().Be(At(1));
    }

    [Fact]
    public void AdvanceTo_Now_RunsWhatIsDueNow()
    {
        _clock.Schedule(() => Record("now"));

        _clock.AdvanceTo(_clock.Now);

        _ran.Should().Equal(("now", TestClock.Epoch));
    }

    [Fact]
    public void AdvanceByAndAdvanceTo_PublicOverloads_TakeOnlyTimeSpanAndDateTimeOffset()
    {
        // An inherited AdvanceBy(long) made clock.AdvanceBy(10) compile and move the clock by 10 ticks (1 µs).
        var parameterTypes = typeof(TestClock).GetMethods()
            .Where(static method => method.Name is "AdvanceBy" or "AdvanceTo")
            .Select(static method => $"{method.Name}({string.Join(", ", method.GetParameters().Select(static p => p.ParameterType.Name))})");

        parameterTypes.Should().BeEquivalentTo("AdvanceBy(TimeSpan)", "AdvanceTo(DateTimeOffset)");
    }

    [Fact]
    public void TimeProvider_Timer_FiresInVirtualTimeWithTheSchedulersItems()
    {
        var timeProvider = _clock.TimeProvider;
        using var timer = timeProvider.CreateTimer(_ => Record("timer"), null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3));
        ScheduleAt("scheduled", 3);

        _clock.AdvanceBy(TimeSpan.FromSeconds(6));

        _ran.Should().Equal(("timer", At(2)), ("scheduled", At(3)), ("timer", At(5)));
        timeProvider.GetUtcNow().Should().Be(At(6));
        timeProvider.GetElapsedTime(0, timeProvider.GetTimestamp()).Should().Be(TimeSpan.FromSeconds(6));
    }

    [Fact]
    public void TimeProvider_TimerChangedOrDisposed_FollowsItsNewDueTimeOrStops()
    {
        var timer = _clock.TimeProvider.CreateTimer(_ => Record("timer"), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        timer.Change(TimeSpan.FromSeconds(4), Timeout.InfiniteTimeSpan).Should().BeTrue();
        _clock.AdvanceBy(TimeSpan.FromSeconds(2));
        _ran.Should().BeEmpty();
        _clock.AdvanceBy(TimeSpan.FromSeconds(2));
        _ran.Should().Equal(("timer", At(4)));

        timer.Change(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        timer.Dispose();
        _clock.AdvanceBy(TimeSpan.FromSeconds(5));
        _ran.Should().HaveCount(1);
        timer.Change(TimeSpan.Zero, TimeSpan.Zero).Should().BeFalse();
    }

    [Fact]
    public void AdvanceBy_Negative_ThrowsArgumentOutOfRangeAndKeepsTheTime()
    {
        _clock.AdvanceBy(TimeSpan.FromSeconds(1));

        var act = () => _clock.AdvanceBy(TimeSpan.FromTicks(-1));

        act.Should().Throw<ArgumentOutOfRangeException>();
        _clock.Now.Should().Be(At(1));
    }

    [Fact]
    public void AdvanceTo_BeforeNow_ThrowsArgumentOutOfRangeAndKeepsTheTime()
    {
        _clock.AdvanceBy(TimeSpan.FromSeconds(2));

        var act = () => _clock.AdvanceTo(At(1));

        act.Should().Throw<ArgumentOutOfRangeException>();
        _clock.Now.Should().Be(At(2));
    }

    [Fact]
    public void RxTimeOperators_OnTheClock_RunInVirtualTime()
    {
        var ticks = new List<long>();
        using var subscription = Observable.Interval(TimeSpan.FromSeconds(1), _clock).Subscribe(ticks.Add);

        _clock.AdvanceBy(TimeSpan.FromSeconds(3.5));

        ticks.Should().Equal(0, 1, 2);
    }

    private static DateTimeOffset At(double seconds) => TestClock.Epoch.AddSeconds(seconds);

    private void ScheduleAt(string name, double seconds) =>
        _clock.Schedule(TimeSpan.FromSeconds(seconds), () => Record(name));

    private void Record(string name) => _ran.Add((name, _clock.Now));
}
