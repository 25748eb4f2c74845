using System.Collections.Concurrent;
using System.Reactive.Linq;
using System.Runtime.CompilerServices;
using Reactive.Edits.ChangeSets;
using Reactive.Edits.Testing;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Tests.Committing;

/// <summary>DESIGN §2 "Committing", Task form: each command outcome spends the token as documented, in virtual time.</summary>
public sealed class TaskCommitTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly TestClock _clock = new();
    private readonly ControlledCommand<string> _command = new();

    [Fact]
    public void Commit_CommandSucceeds_AcceptsTheEdit()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var committer = edits.Commit(_command.Invoke);
        var edit = edits.Request("hello");

        var call = _command.Calls.Should().ContainSingle().Subject;
        call.Value.Should().Be("hello");
        call.Id.Should().Be(edit.Id);
        call.Succeed();

        edit.Token.IsSpent.Should().BeTrue();
        edits.Items.Should().BeEmpty();
    }

    [Fact]
    public void Commit_CommandFaults_RejectsWithThatException()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var committer = edits.Commit(_command.Invoke);
        var edit = edits.Request("hello");
        var error = new InvalidOperationException("server said no");

        _command.Last.Fail(error);

        edits.TryGetEdit(edit.Id, out var rejected).Should().BeTrue();
        rejected!.Status.Should().Be(EditStatus.Rejected);
        rejected.Error.Should().BeSameAs(error);
    }

    [Fact]
    public void Commit_CommandThrowsSynchronously_RejectsWithThatException()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var error = new FormatException("bad input");
        using var committer = edits.Commit((_, _, _) => throw error);

        var edit = edits.Request("hello");

        edits.TryGetEdit(edit.Id, out var rejected).Should().BeTrue();
        rejected!.Error.Should().BeSameAs(error);
    }

    [Fact]
    public void Commit_CommandReturnsNullTask_RejectsWithInvalidOperation()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var committer = edits.Commit((_, _, _) => null!);

        var edit = edits.Request("hello");

        edits.TryGetEdit(edit.Id, out var rejected).Should().BeTrue();
        rejected!.Error.Should().BeOfType<InvalidOperationException>();
    }

    [Fact]
    public void Commit_CommandRunsPastTheTimeout_RejectsWithATimeoutErrorOnlyWhenVirtualTimeIsUp()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var committer = edits.Commit(_command.Invoke, new CommitOptions { Timeout = Timeout });
        var edit = edits.Request("hello");

        _clock.AdvanceBy(Timeout - TimeSpan.FromTicks(1));
        edits.TryGetEdit(edit.Id, out var beforeTimeout).Should().BeTrue();
        beforeTimeout!.Status.Should().Be(EditStatus.Pending);
        _clock.AdvanceBy(TimeSpan.FromTicks(1));

        edits.TryGetEdit(edit.Id, out var rejected).Should().BeTrue();
        rejected!.Status.Should().Be(EditStatus.Rejected);
        rejected.Error.Should().BeOfType<EditTimeoutException>().Which.Timeout.Should().Be(Timeout);
        _command.Last.CancellationToken.IsCancellationRequested.Should().BeTrue();
    }

    [Fact]
    public void Commit_TimeoutOnAnExplicitScheduler_IsMeasuredOnThatScheduler()
    {
        var timeoutClock = new TestClock();
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var committer = edits.Commit(_command.Invoke, new CommitOptions { Timeout = Timeout, Scheduler = timeoutClock });
        var edit = edits.Request("hello");

        _clock.AdvanceBy(Timeout * 2);
        edits.TryGetEdit(edit.Id, out var stillPending).Should().BeTrue();
        stillPending!.Status.Should().Be(EditStatus.Pending);
        timeoutClock.AdvanceBy(Timeout);

        edits.TryGetEdit(edit.Id, out var rejected).Should().BeTrue();
        rejected!.Error.Should().BeOfType<EditTimeoutException>();
    }

    [Fact]
    public void Commit_CommandSucceedsBeforeTheTimeout_TimeoutChangesNothingLater()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var recorder = new EditRecorder<string>(edits);
        using var committer = edits.Commit(_command.Invoke, new CommitOptions { Timeout = Timeout });
        var edit = edits.Request("hello");
        _command.Last.Succeed();

        _clock.AdvanceBy(Timeout * 2);

        recorder.KindsOf(edit.Id).Should().Equal(EditEventKind.Requested, EditEventKind.Started, EditEventKind.Accepted);
    }

    [Fact]
    public void Commit_CommandSucceedsAfterTheTimeout_StaysRejected()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var committer = edits.Commit((_, _, _) => new TaskCompletionSource().Task, new CommitOptions { Timeout = Timeout });
        var edit = edits.Request("hello");
        _clock.AdvanceBy(Timeout);

        edit.Token.Accept().Should().BeFalse();

        edits.Items.Should().ContainSingle().Which.Error.Should().BeOfType<EditTimeoutException>();
    }

    [Fact]
    public void Commit_CommandCancelled_CancelsTheEdit()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var recorder = new EditRecorder<string>(edits);
        using var committer = edits.Commit(_command.Invoke);
        var edit = edits.Request("hello");

        _command.Last.CancelWork();

        recorder.KindsOf(edit.Id)[^1].Should().Be(EditEventKind.Cancelled);
        edits.Items.Should().BeEmpty();
    }

    [Fact]
    public void Commit_CommandThrowsOperationCanceled_CancelsTheEdit()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var recorder = new EditRecorder<string>(edits);
        using var committer = edits.Commit((_, _, _) => throw new OperationCanceledException());

        var edit = edits.Request("hello");

        recorder.KindsOf(edit.Id)[^1].Should().Be(EditEventKind.Cancelled);
    }

    [Fact]
    public void Commit_EditSuperseded_CancelsTheCommandsTokenAndStaysSuperseded()
    {
        using var edits = new EditSet<string>(new EditSetOptions { Policy = EditPolicy.LatestWins }, _clock);
        using var recorder = new EditRecorder<string>(edits);
        using var committer = edits.Commit(_command.Invoke);
        var first = edits.Request("a");

        edits.Request("b");

        _command.Calls[0].CancellationToken.IsCancellationRequested.Should().BeTrue();
        _command.Calls[1].CancellationToken.IsCancellationRequested.Should().BeFalse();
        recorder.KindsOf(first.Id)[^1].Should().Be(EditEventKind.Superseded);
    }

    [Fact]
    public void Commit_EditCancelledByTheUser_CancelsTheCommandsToken()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var committer = edits.Commit(_command.Invoke);
        var edit = edits.Request("hello");

        edits.Cancel(edit.Id).Should().Be(EditCancellation.AfterStart);

        _command.Last.CancellationToken.IsCancellationRequested.Should().BeTrue();
    }

    [Fact]
    public void Commit_CommitterDisposed_CancelsRunningCommandsAndCommitsNoMore()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var recorder = new EditRecorder<string>(edits);
        var committer = edits.Commit(_command.Invoke);
        var running = edits.Request("running");

        committer.Dispose();
        var later = edits.Request("later");

        _command.Calls.Should().ContainSingle().Which.CancellationToken.IsCancellationRequested.Should().BeTrue();
        recorder.KindsOf(running.Id)[^1].Should().Be(EditEventKind.Cancelled);
        edits.Items.Should().ContainSingle().Which.Id.Should().Be(later.Id);
    }

    [Fact]
    public void Commit_Retry_RunsTheCommandAgainWithTheSameId()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var committer = edits.Commit(_command.Invoke);
        var edit = edits.Request("helo");
        _command.Last.Fail(new InvalidOperationException("typo"));

        edits.Retry(edit.Id, "hello");
        _command.Last.Succeed();

        _command.Calls.Select(c => (c.Id, c.Value)).Should().Equal((edit.Id, "helo"), (edit.Id, "hello"));
        edits.Items.Should().BeEmpty();
    }

    [Fact]
    public void Commit_QueuedPolicy_RunsTheNextCommandOnlyAfterThePreviousSettles()
    {
        using var edits = new EditSet<string>(new EditSetOptions { Policy = EditPolicy.Queued }, _clock);
        using var committer = edits.Commit(_command.Invoke);
        edits.Request("a");
        edits.Request("b");
        _command.Calls.Select(c => c.Value).Should().Equal("a");

        _command.Last.Succeed();

        _command.Calls.Select(c => c.Value).Should().Equal("a", "b");
    }

    [Fact]
    public void Commit_AttachedLate_PicksUpTheAttemptsAlreadyInFlight()
    {
        using var edits = new EditSet<string>(new EditSetOptions { Policy = EditPolicy.Bounded(1) }, _clock);
        var inFlight = edits.Request("a");
        edits.Request("b");

        using var committer = edits.Commit(_command.Invoke);

        _command.Calls.Should().ContainSingle().Which.Id.Should().Be(inFlight.Id);
    }

    [Fact]
    public async Task Commit_CommandCompletesOnAnotherThread_AcceptsTheEdit()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var committer = edits.Commit((_, _, _) => completion.Task);
        var edit = edits.Request("hello");
        var outcome = edits.NextOutcome(edit.Id);

        _ = Task.Run(completion.SetResult);

        (await outcome).Kind.Should().Be(EditEventKind.Accepted);
    }

    [Fact]
    public void Commit_ObserverThrowsWhenTheCommandCompletesLater_RethrowsOnTheCommittersScheduler()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var observerBug = new InvalidOperationException("observer bug");
        using var throwing = edits.Connect().Subscribe(changes =>
        {
            if (changes.Any(static c => c.Reason == ChangeReason.Remove))
            {
                throw observerBug;
            }
        });
        using var committer = edits.Commit(_command.Invoke);
        var edit = edits.Request("hello");

        // The committer spends the token in the command task's continuation, which has no caller to throw to.
        _command.Last.Succeed();

        edit.Token.IsSpent.Should().BeTrue();
        var runScheduled = () => _clock.AdvanceBy(TimeSpan.FromTicks(1));
        runScheduled.Should().Throw<InvalidOperationException>().Which.Should().BeSameAs(observerBug);
    }

    [Fact]
    public void Commit_EventsObserverThrowsWhenTheCommandFailsLater_RethrowsOnTheTimeoutScheduler()
    {
        var timeoutClock = new TestClock();
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var observerBug = new InvalidOperationException("observer bug");
        using var throwing = edits.Events.Subscribe(e =>
        {
            if (e.Kind == EditEventKind.Rejected)
            {
                throw observerBug;
            }
        });
        using var committer = edits.Commit(_command.Invoke, new CommitOptions { Timeout = Timeout, Scheduler = timeoutClock });
        var edit = edits.Request("hello");

        _command.Last.Fail(new FormatException("server said no"));

        edits.TryGetEdit(edit.Id, out var rejected).Should().BeTrue();
        rejected!.Status.Should().Be(EditStatus.Rejected);
        _clock.AdvanceBy(TimeSpan.FromTicks(1));
        var runScheduled = () => timeoutClock.AdvanceBy(TimeSpan.FromTicks(1));
        runScheduled.Should().Throw<InvalidOperationException>().Which.Should().BeSameAs(observerBug);
    }

    [Fact]
    public void Commit_ObserverThrowsWhenTheCommandCompletesLater_RaisesNoUnobservedTaskException()
    {
        var unobserved = new ConcurrentQueue<Exception>();
        EventHandler<UnobservedTaskExceptionEventArgs> record = (_, e) =>
        {
            foreach (var error in e.Exception.Flatten().InnerExceptions)
            {
                unobserved.Enqueue(error);
            }
        };
        TaskScheduler.UnobservedTaskException += record;
        try
        {
            var observerBug = SettleThroughAThrowingObserver();

            // Any faulted task the committer left behind is unreachable now: finalizing it reports its exception.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();

            unobserved.Should().NotContain(observerBug);
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= record;
        }
    }

    [Fact]
    public void Commit_ObserverThrowsWhenTheCommandCompletesSynchronously_PropagatesToTheRequester()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var observerBug = new InvalidOperationException("observer bug");
        using var throwing = edits.Connect().Subscribe(changes =>
        {
            if (changes.Any(static c => c.Reason == ChangeReason.Remove))
            {
                throw observerBug;
            }
        });
        using var committer = edits.Commit(static (_, _, _) => Task.CompletedTask);

        var request = () => edits.Request("hello");

        request.Should().Throw<InvalidOperationException>().Which.Should().BeSameAs(observerBug);
        edits.Items.Should().BeEmpty();
    }

    // Not inlined, so that no task of the committer stays reachable from the test's frame.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static InvalidOperationException SettleThroughAThrowingObserver()
    {
        var clock = new TestClock();
        var command = new ControlledCommand<string>();
        var observerBug = new InvalidOperationException("observer bug");
        using var edits = new EditSet<string>(EditSetOptions.Default, clock);
        using var throwing = edits.Connect().Subscribe(changes =>
        {
            if (changes.Any(static c => c.Reason == ChangeReason.Remove))
            {
                throw observerBug;
            }
        });
        using var committer = edits.Commit(command.Invoke);
        edits.Request("hello");

        command.Last.Succeed();

        return observerBug;
    }
}
