using System.Reactive;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Reactive.Threading.Tasks;
using Reactive.Edits.Testing;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Tests.Committing;

/// <summary>DESIGN §2 "Committing", observable form: completion accepts, an error rejects, unsubscribing cancels.</summary>
public sealed class ObservableCommitTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly TestClock _clock = new();
    private readonly EditSet<string> _edits;
    private readonly List<(string Value, EditId Id, Subject<Unit> Work)> _calls = [];
    private int _unsubscribed;

    public ObservableCommitTests()
    {
        _edits = new EditSet<string>(EditSetOptions.Default, _clock);
    }

    public void Dispose() => _edits.Dispose();

    [Fact]
    public async Task Commit_ObservableCompletes_AcceptsTheEdit()
    {
        using var committer = _edits.Commit(Command);
        var (edit, outcome) = Request(_edits);

        _calls.Should().ContainSingle().Which.Id.Should().Be(edit.Id);
        _calls[0].Work.OnCompleted();

        (await outcome).Kind.Should().Be(EditEventKind.Accepted);
    }

    [Fact]
    public async Task Commit_ObservableEmitsThenCompletes_AcceptsTheEdit()
    {
        using var committer = _edits.Commit(Command);
        var (_, outcome) = Request(_edits);

        _calls[0].Work.OnNext(Unit.Default);
        _calls[0].Work.OnCompleted();

        (await outcome).Kind.Should().Be(EditEventKind.Accepted);
    }

    [Fact]
    public async Task Commit_ObservableFails_RejectsWithThatError()
    {
        using var committer = _edits.Commit(Command);
        var (_, outcome) = Request(_edits);
        var error = new InvalidOperationException("server said no");

        _calls[0].Work.OnError(error);

        var rejected = await outcome;
        rejected.Kind.Should().Be(EditEventKind.Rejected);
        rejected.Edit.Error.Should().BeSameAs(error);
    }

    [Fact]
    public async Task Commit_CommandFactoryThrows_RejectsWithThatError()
    {
        var error = new FormatException("bad input");
        using var committer = _edits.Commit((Func<string, EditId, IObservable<Unit>>)((_, _) => throw error));
        // The rejection happens inside Request, so the outcome is awaited from before it.
        var outcome = _edits.Events.FirstAsync(e => e.Kind == EditEventKind.Rejected).ToTask().WaitAsync(EditOutcomes.Guard);

        _edits.Request("hello");

        (await outcome).Edit.Error.Should().BeSameAs(error);
    }

    [Fact]
    public async Task Commit_ObservableRunsPastTheTimeout_RejectsWithATimeoutErrorAndUnsubscribes()
    {
        using var committer = _edits.Commit(Command, new CommitOptions { Timeout = Timeout });
        var (_, outcome) = Request(_edits);

        _clock.AdvanceBy(Timeout);

        var rejected = await outcome;
        rejected.Kind.Should().Be(EditEventKind.Rejected);
        rejected.Edit.Error.Should().BeOfType<EditTimeoutException>().Which.Timeout.Should().Be(Timeout);
        Volatile.Read(ref _unsubscribed).Should().Be(1);
    }

    [Fact]
    public async Task Commit_ObservableTimeoutOnAnExplicitScheduler_IsMeasuredOnThatScheduler()
    {
        var timeoutClock = new TestClock();
        using var committer = _edits.Commit(Command, new CommitOptions { Timeout = Timeout, Scheduler = timeoutClock });
        var (_, outcome) = Request(_edits);

        _clock.AdvanceBy(Timeout * 2);
        outcome.IsCompleted.Should().BeFalse();
        timeoutClock.AdvanceBy(Timeout);

        (await outcome).Edit.Error.Should().BeOfType<EditTimeoutException>();
    }

    [Fact]
    public async Task Commit_EditSuperseded_UnsubscribesTheObservableAndStaysSuperseded()
    {
        using var edits = new EditSet<string>(new EditSetOptions { Policy = EditPolicy.LatestWins }, _clock);
        using var committer = edits.Commit(Command);
        var (_, outcome) = Request(edits);

        edits.Request("newer");

        (await outcome).Kind.Should().Be(EditEventKind.Superseded);
        Volatile.Read(ref _unsubscribed).Should().Be(1);
        _calls[0].Work.HasObservers.Should().BeFalse();
        _calls[1].Work.HasObservers.Should().BeTrue();
    }

    [Fact]
    public async Task Commit_EditCancelled_UnsubscribesTheObservable()
    {
        using var committer = _edits.Commit(Command);
        var (edit, outcome) = Request(_edits);

        _edits.Cancel(edit.Id);

        (await outcome).Kind.Should().Be(EditEventKind.Cancelled);
        Volatile.Read(ref _unsubscribed).Should().Be(1);
    }

    // Requests an edit whose command stays running, and starts awaiting its outcome.
    private static (Edit<string> Edit, Task<EditEvent<string>> Outcome) Request(EditSet<string> edits)
    {
        var edit = edits.Request("hello");
        return (edit, edits.NextOutcome(edit.Id));
    }

    private IObservable<Unit> Command(string value, EditId id)
    {
        var work = new Subject<Unit>();
        _calls.Add((value, id, work));
        return Observable.Create<Unit>(observer =>
        {
            var subscription = work.Subscribe(observer);
            return () =>
            {
                Interlocked.Increment(ref _unsubscribed);
                subscription.Dispose();
            };
        });
    }
}
