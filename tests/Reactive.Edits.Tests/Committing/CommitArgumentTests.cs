using System.Reactive;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
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

    public static TheoryData<string, Action<EditSet<string>?, IScheduler?>> NullArguments => new()
    {
        { "edits", (_, _) => EditCommitExtensions.Commit(null!, TaskCommand) },
        { "command", (e, _) => e!.Commit((Func<string, EditId, CancellationToken, Task>)null!) },
        { "edits", (_, _) => EditCommitExtensions.Commit(null!, TaskCommand, Timeout) },
        { "command", (e, _) => e!.Commit((Func<string, EditId, CancellationToken, Task>)null!, Timeout) },
        { "edits", (_, s) => EditCommitExtensions.Commit(null!, TaskCommand, Timeout, s!) },
        { "command", (e, s) => e!.Commit((Func<string, EditId, CancellationToken, Task>)null!, Timeout, s!) },
        { "scheduler", (e, _) => e!.Commit(TaskCommand, Timeout, null!) },
        { "edits", (_, _) => EditCommitExtensions.Commit(null!, ObservableCommand) },
        { "command", (e, _) => e!.Commit((Func<string, EditId, IObservable<Unit>>)null!) },
        { "edits", (_, _) => EditCommitExtensions.Commit(null!, ObservableCommand, Timeout) },
        { "command", (e, _) => e!.Commit((Func<string, EditId, IObservable<Unit>>)null!, Timeout) },
        { "edits", (_, s) => EditCommitExtensions.Commit(null!, ObservableCommand, Timeout, s!) },
        { "command", (e, s) => e!.Commit((Func<string, EditId, IObservable<Unit>>)null!, Timeout, s!) },
        { "scheduler", (e, _) => e!.Commit(ObservableCommand, Timeout, null!) },
    };

    public void Dispose() => _edits.Dispose();

    [Theory]
    [MemberData(nameof(NullArguments))]
    public void Commit_NullArgument_ThrowsArgumentNullNamingIt(string parameter, Action<EditSet<string>?, IScheduler?> commit)
    {
        var act = () => commit(_edits, _clock);

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
            () => _edits.Commit(TaskCommand, timeout),
            () => _edits.Commit(TaskCommand, timeout, _clock),
            () => _edits.Commit(ObservableCommand, timeout),
            () => _edits.Commit(ObservableCommand, timeout, _clock),
        };

        foreach (var act in acts)
        {
            act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("timeout");
        }
    }

    [Fact]
    public void Commit_InvalidArgument_LeavesTheSetUncommitted()
    {
        var act = () => _edits.Commit(TaskCommand, TimeSpan.Zero);
        act.Should().Throw<ArgumentOutOfRangeException>();

        var edit = _edits.Request("hello");

        edit.Token.IsSpent.Should().BeFalse();
    }
}
