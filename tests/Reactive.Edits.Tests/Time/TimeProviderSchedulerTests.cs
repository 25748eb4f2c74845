using System.Reactive.Concurrency;
using System.Reactive.Linq;
using Microsoft.Extensions.Time.Testing;
using Reactive.Edits.Testing;

namespace Reactive.Edits.Tests.Time;

/// <summary>An edit set given a TimeProvider keeps time on it: timestamps, Rx operators on its Scheduler, committers' timeouts.</summary>
public sealed class TimeProviderSchedulerTests
{
    private readonly FakeTimeProvider _time = new(TestClock.Epoch);

    [Fact]
    public void EditSet_GivenATimeProvider_TimestampsOnIt()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _time);
        _time.Advance(TimeSpan.FromMinutes(3));

        var edit = edits.Request("hello");

        edit.RequestedAt.Should().Be(TestClock.Epoch + TimeSpan.FromMinutes(3));
        edits.Scheduler.Now.Should().Be(TestClock.Epoch + TimeSpan.FromMinutes(3));
    }

    [Fact]
    public void EditSet_NullTimeProvider_ThrowsArgumentNullNamingIt()
    {
        var act = () => new EditSet<string>(EditSetOptions.Default, (TimeProvider)null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("timeProvider");
    }

    [Fact]
    public void EditSet_SystemTimeProvider_UsesTheDefaultScheduler()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, TimeProvider.System);

        edits.Scheduler.Should().BeSameAs(DefaultScheduler.Instance);
    }

    [Fact]
    public void Scheduler_RxTimer_FiresWhenTheTimeProviderReachesItsDueTime()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _time);
        var fired = new List<DateTimeOffset>();
        using var timer = Observable.Timer(TimeSpan.FromSeconds(5), edits.Scheduler).Subscribe(_ => fired.Add(edits.Scheduler.Now));

        _time.Advance(TimeSpan.FromSeconds(4));
        fired.Should().BeEmpty();
        _time.Advance(TimeSpan.FromSeconds(1));

        fired.Should().Equal(TestClock.Epoch + TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Scheduler_WorkDisposedBeforeItIsDue_NeverRuns()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _time);
        var ran = false;
        var work = edits.Scheduler.Schedule(TimeSpan.FromSeconds(1), () => ran = true);

        work.Dispose();
        _time.Advance(TimeSpan.FromSeconds(2));

        ran.Should().BeFalse();
    }

    [Fact]
    public void Scheduler_WorkDueNow_RunsOnceWhenTheTimerFires()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _time);
        var runs = 0;

        using var work = edits.Scheduler.Schedule(() => runs++);
        _time.Advance(TimeSpan.Zero);
        _time.Advance(TimeSpan.FromSeconds(1));

        runs.Should().Be(1);
    }
}
