using ChatServer.Chat;
using Microsoft.Extensions.Time.Testing;

namespace ChatServer.Tests.Storage;

/// <summary>Sends that arrive while another is being stored are stored together, each answered with its own result.</summary>
public sealed class GroupCommitTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task CommitAsync_NothingUnderWay_CommitsAtOnceOnTheCallersThread()
    {
        var thread = -1;
        var commits = new GroupCommit<int, string>(group =>
        {
            thread = Environment.CurrentManagedThreadId;
            return [.. group.Select(static item => $"stored {item}")];
        }, maxGroup: 10);

        var stored = commits.CommitAsync(1);

        var caller = Environment.CurrentManagedThreadId;
        stored.IsCompletedSuccessfully.Should().BeTrue("a lone item waits for nothing");
        thread.Should().Be(caller);
        (await stored).Should().Be("stored 1");
    }

    [Fact]
    public async Task CommitAsync_ItemsArrivingDuringACommit_AreCommittedTogetherNext_InArrivalOrder_EachWithItsResult()
    {
        var firstEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var releaseFirst = new ManualResetEventSlim();
        var groups = new List<int[]>();
        var commits = new GroupCommit<int, string>(group =>
        {
            lock (groups)
            {
                groups.Add([.. group]);
            }
            if (group[0] == 1)
            {
                firstEntered.TrySetResult();
                releaseFirst.Wait(Guard);
            }
            return [.. group.Select(static item => $"stored {item}")];
        }, maxGroup: 2);

        var queued = new List<int>();
        commits.Queued += queued.Add;

        var first = Task.Run(() => commits.CommitAsync(1));
        await firstEntered.Task.WaitAsync(Guard);
        var waiting = new[] { commits.CommitAsync(2), commits.CommitAsync(3), commits.CommitAsync(4) };
        waiting.Should().OnlyContain(task => !task.IsCompleted, "a commit is under way");
        queued.Should().Equal([1, 2, 3], "each item that arrives during the commit is reported with how many wait");
        releaseFirst.Set();

        (await first.WaitAsync(Guard)).Should().Be("stored 1");
        (await Task.WhenAll(waiting).WaitAsync(Guard)).Should().Equal("stored 2", "stored 3", "stored 4");
        groups.Should().BeEquivalentTo(new[] { new[] { 1 }, [2, 3], [4] }, options => options.WithStrictOrdering(),
            "the items that waited are committed together, at most maxGroup at a time, in arrival order");
    }

    [Fact]
    public async Task CommitAsync_TheCommitOfAGroupFails_EveryItemOfThatGroupSeesTheFailure_TheNextGroupCommits()
    {
        var firstEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var releaseFirst = new ManualResetEventSlim();
        var failure = new IOException("the disk is full");
        var commits = new GroupCommit<int, int>(group =>
        {
            if (group[0] == 1)
            {
                firstEntered.TrySetResult();
                releaseFirst.Wait(Guard);
                throw failure;
            }
            return [.. group];
        }, maxGroup: 10);

        var first = Task.Run(() => commits.CommitAsync(1));
        await firstEntered.Task.WaitAsync(Guard);
        var second = commits.CommitAsync(2);
        releaseFirst.Set();

        (await first.Invoking(static task => task.WaitAsync(Guard)).Should().ThrowAsync<IOException>()).Which.Should().BeSameAs(failure);
        (await second.WaitAsync(Guard)).Should().Be(2, "the failure was the first group's only");
    }

    [Fact]
    public async Task CommitAsync_WithinTheWindowAfterACommitBegan_WaitsForTheWindowsEnd_WithEverythingThatArrivesMeanwhile()
    {
        var time = new FakeTimeProvider();
        var groups = new List<int[]>();
        using var commits = new GroupCommit<int, int>(group =>
        {
            lock (groups)
            {
                groups.Add([.. group]);
            }
            return [.. group];
        }, maxGroup: 10, window: TimeSpan.FromMilliseconds(50), time);

        var first = commits.CommitAsync(1);
        first.IsCompletedSuccessfully.Should().BeTrue("nothing was committed within the window: a lone item goes at once");
        time.Advance(TimeSpan.FromMilliseconds(20));
        var second = commits.CommitAsync(2);
        time.Advance(TimeSpan.FromMilliseconds(20));
        var third = commits.CommitAsync(3);
        second.IsCompleted.Should().BeFalse("the window after the first commit's beginning has not ended");
        third.IsCompleted.Should().BeFalse();
        time.Advance(TimeSpan.FromMilliseconds(9));
        second.IsCompleted.Should().BeFalse("49 ms of the 50 have passed");

        time.Advance(TimeSpan.FromMilliseconds(1));

        (await Task.WhenAll(second, third).WaitAsync(Guard)).Should().Equal(2, 3);
        lock (groups)
        {
            groups.Should().BeEquivalentTo(new[] { new[] { 1 }, [2, 3] }, options => options.WithStrictOrdering());
        }
    }

    [Fact]
    public void CommitAsync_OnceTheWindowHasPassed_CommitsAtOnce()
    {
        var time = new FakeTimeProvider();
        using var commits = new GroupCommit<int, int>(static group => [.. group], maxGroup: 10, window: TimeSpan.FromMilliseconds(50), time);
        commits.CommitAsync(1).IsCompletedSuccessfully.Should().BeTrue();

        time.Advance(TimeSpan.FromMilliseconds(50));

        commits.CommitAsync(2).IsCompletedSuccessfully.Should().BeTrue("a quiet room adds no delay");
    }
}
