using System.Reactive;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using Microsoft.Extensions.Time.Testing;
using Reactive.Edits.Testing;

namespace Reactive.Edits.Tests.Committing;

/// <summary>Every Commit overload validates its arguments at the boundary.</summary>
public sealed class CommitArgumentTests : IDisposable
{
    private static readonly Func<string, EditId, CancellationToken, Task> TaskCommand = (_, _, _) => Task.CompletedTask;
    private static readonly Func<string, EditId, IObservable<Unit>> ObservableCommand = (_, _) => Observable.Empty<Unit>();
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    private readonly TestClock _clock = new();
    private readonly EditSet<string> _edits;

    public CommitArgumentTests()
    {
        _edits = new EditSet<string>(EditSetOptions.Default, _clock);
    }

    public static TheoryData<string, Action<EditSet<string>?>> NullArguments => new()
    {
        { "edits", _ => EditCommitExtensions.Commit(null!, TaskCommand) },
        { "command", e => e!.Commit((Func<string, EditId, CancellationToken, Task>)null!) },
        { "edits", _ => EditCommitExtensions.Commit(null!, TaskCommand, CommitOptions.Default) },
        { "command", e => e!.Commit((Func<string, EditId, CancellationToken, Task>)null!, CommitOptions.Default) },
        { "options", e => e!.Commit(TaskCommand, null!) },
        { "edits", _ => EditCommitExtensions.Commit(null!, ObservableCommand) },
        { "command", e => e!.Commit((Func<string, EditId, IObservable<Unit>>)null!) },
        { "edits", _ => EditCommitExtensions.Commit(null!, ObservableCommand, CommitOptions.Default) },
        { "command", e => e!.Commit((Func<string, EditId, IObservable<Unit>>)null!, CommitOptions.Default) },
        { "options", e => e!.Commit(ObservableCommand, null!) },
    };

    public void Dispose() => _edits.Dispose();

    [Theory]
    [MemberData(nameof(NullArguments))]
    public void Commit_NullArgument_ThrowsArgumentNullNamingIt(string parameter, Action<EditSet<string>?> commit)
    {
        var act = () => commit(_edits);

        act.Should().Throw<ArgumentNullException>().WithParameterName(parameter);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Commit_TimeoutNotPositive_ThrowsArgumentOutOfRange(int seconds)
    {
        var timeout = TimeSpan.FromSeconds(seconds);

        var acts = new Action[]
        {
            () => _edits.Commit(TaskCommand, new CommitOptions { Timeout = timeout }),
            () => _edits.Commit(TaskCommand, new CommitOptions { Timeout = timeout, Scheduler = _clock }),
            () => _edits.Commit(ObservableCommand, new CommitOptions { Timeout = timeout }),
            () => _edits.Commit(ObservableCommand, new CommitOptions { Timeout = timeout, TimeProvider = TimeProvider.System }),
        };

        foreach (var act in acts)
        {
            act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("options.Timeout");
        }
    }

    [Fact]
    public void Commit_SchedulerAndTimeProviderBothSet_ThrowsArgumentNamingTheOptions()
    {
        var options = new CommitOptions { Timeout = Timeout, Scheduler = _clock, TimeProvider = TimeProvider.System };

        var act = () => _edits.Commit(TaskCommand, options);

        act.Should().Throw<ArgumentException>().WithParameterName("options");
    }

    [Fact]
    public void Commit_TimeProvider_MeasuresTheTimeoutOnIt()
    {
        var time = new FakeTimeProvider(TestClock.Epoch);
        using var committer = _edits.Commit((_, _, ct) => Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, ct), new CommitOptions { Timeout = Timeout, TimeProvider = time });
        var edit = _edits.Request("hello");

        time.Advance(Timeout - TimeSpan.FromTicks(1));
        _edits.Items.Single().Status.Should().Be(EditStatus.Pending);
        time.Advance(TimeSpan.FromTicks(1));

        var rejected = _edits.Items.Single();
        rejected.Status.Should().Be(EditStatus.Rejected);
        rejected.Error.Should().BeOfType<EditTimeoutException>();
        edit.Token.IsSpent.Should().BeTrue();
    }

    [Fact]
    public void Commit_InvalidArgument_LeavesTheSetUncommitted()
    {
        var act = () => _edits.Commit(TaskCommand, new CommitOptions { Timeout = TimeSpan.Zero });
        act.Should().Throw<ArgumentOutOfRangeException>();

        var edit = _edits.Request("hello");

        edit.Token.IsSpent.Should().BeFalse();
    }
}
