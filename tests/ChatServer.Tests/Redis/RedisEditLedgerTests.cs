using ChatServer.Shared.Protocol;
using ChatServer.Storage;
using ChatServer.Tests.Support;
using Reactive.Edits;
using Reactive.Edits.Remote;

namespace ChatServer.Tests.Redis;

/// <summary>The Redis edit ledger's rules (those of <see cref="IEditLedger{TCommand}"/>) across two nodes, against a real
/// <c>redis-server</c>.</summary>
public sealed class RedisEditLedgerTests
{
    private static readonly SendMessage Hello = new("hello");
    // Only a guard against a hang: every awaited outcome here is already known or completed by the test itself.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);
    private static readonly RemoteError RateLimited = new("chat.rate-limited", "Too many messages.");

    [SkippableFact]
    public async Task ClaimAsync_ResendToTheOtherNodeAfterAcceptance_GetsTheAcceptanceWithoutRunning()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await RedisNode.ConnectAsync(redis);
        await using var b = await RedisNode.ConnectAsync(redis);
        var id = EditId.New();
        var owned = await a.Ledger.ClaimAsync(id, 1, Hello, default);
        await a.Log.AppendAsync(id.Value, "ann", Hello.Text);
        await a.Ledger.CompleteAsync(id, 1, EditOutcome.Accepted, default);

        var resend = await b.Ledger.ClaimAsync(id, 1, Hello, default);

        owned.IsOwner.Should().BeTrue();
        (await owned.Outcome.WaitAsync(Guard)).Should().Be(EditOutcome.Accepted);
        resend.IsOwner.Should().BeFalse();
        (await resend.Outcome.WaitAsync(Guard)).Should().Be(EditOutcome.Accepted);
        (await b.Log.RecentAsync(10)).Should().ContainSingle(m => m.Id == id.Value && m.Sequence == 1);
    }

    [SkippableFact]
    public async Task ClaimAsync_ResendToTheOtherNodeAfterRejection_GetsTheRejectionAndALaterAttemptRuns()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await RedisNode.ConnectAsync(redis);
        await using var b = await RedisNode.ConnectAsync(redis);
        var id = EditId.New();
        (await a.Ledger.ClaimAsync(id, 1, Hello, default)).IsOwner.Should().BeTrue();
        await a.Ledger.CompleteAsync(id, 1, EditOutcome.Rejected(RateLimited), default);

        var resend = await b.Ledger.ClaimAsync(id, 1, Hello, default);
        var retry = await b.Ledger.ClaimAsync(id, 2, new SendMessage("hello, corrected"), default);

        resend.IsOwner.Should().BeFalse();
        (await resend.Outcome.WaitAsync(Guard)).Should().Be(EditOutcome.Rejected(RateLimited));
        retry.IsOwner.Should().BeTrue("a user's retry of a rejected attempt runs again");
    }

    [SkippableFact]
    public async Task ClaimAsync_SameIdWithOtherText_IsRefusedAsConflictingOnEitherNode()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await RedisNode.ConnectAsync(redis);
        await using var b = await RedisNode.ConnectAsync(redis);
        var running = EditId.New();
        var accepted = EditId.New();
        (await a.Ledger.ClaimAsync(running, 1, Hello, default)).IsOwner.Should().BeTrue();
        await b.Ledger.ClaimAsync(accepted, 1, Hello, default);
        await b.Log.AppendAsync(accepted.Value, "ann", Hello.Text);
        await b.Ledger.CompleteAsync(accepted, 1, EditOutcome.Accepted, default);

        var whileRunning = await a.Ledger.ClaimAsync(running, 1, new SendMessage("other"), default);
        var afterAcceptance = await a.Ledger.ClaimAsync(accepted, 1, new SendMessage("other"), default);

        foreach (var claim in new[] { whileRunning, afterAcceptance })
        {
            claim.IsOwner.Should().BeFalse();
            (await claim.Outcome.WaitAsync(Guard)).Error!.Code.Should().Be(RemoteErrorCodes.ConflictingCommand);
        }
    }

    [SkippableFact]
    public async Task ClaimAsync_ResendWhileRunningOnThisNode_JoinsTheRun()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await RedisNode.ConnectAsync(redis);
        var id = EditId.New();
        var owned = await a.Ledger.ClaimAsync(id, 1, Hello, default);

        var joined = await a.Ledger.ClaimAsync(id, 1, Hello, default);
        var pendingBeforeCompletion = joined.Outcome.IsCompleted;
        await a.Ledger.CompleteAsync(id, 1, EditOutcome.Rejected(RateLimited), default);

        owned.IsOwner.Should().BeTrue();
        joined.IsOwner.Should().BeFalse();
        pendingBeforeCompletion.Should().BeFalse();
        (await joined.Outcome.WaitAsync(Guard)).Should().Be(EditOutcome.Rejected(RateLimited));
    }

    [SkippableFact]
    public async Task AbandonAsync_CancelsTheRunAndLetsTheIdBeClaimedAgain()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await RedisNode.ConnectAsync(redis);
        var id = EditId.New();
        var owned = await a.Ledger.ClaimAsync(id, 1, Hello, default);

        await a.Ledger.AbandonAsync(id, 1, default);
        var again = await a.Ledger.ClaimAsync(id, 1, Hello, default);

        owned.Outcome.IsCanceled.Should().BeTrue();
        again.IsOwner.Should().BeTrue();
    }

    [SkippableFact]
    public async Task BothNodesRunTheSameEdit_TheScriptStoresOneMessageAndARejectionDoesNotOverwriteIt()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await RedisNode.ConnectAsync(redis);
        await using var b = await RedisNode.ConnectAsync(redis);
        var id = EditId.New();
        // A resend reached node B while node A was running the edit: each node owns a run of its own.
        var onA = await a.Ledger.ClaimAsync(id, 1, Hello, default);
        var onB = await b.Ledger.ClaimAsync(id, 1, Hello, default);

        var appendedOnA = await a.Log.AppendAsync(id.Value, "ann", Hello.Text);
        var appendedOnB = await b.Log.AppendAsync(id.Value, "ann", Hello.Text);
        await a.Ledger.CompleteAsync(id, 1, EditOutcome.Accepted, default);
        var rejectionRecorded = await b.Log.RecordRejectionAsync(id.Value, 1, Hello.Text, RateLimited);
        await b.Ledger.AbandonAsync(id, 1, default);
        var resend = await b.Ledger.ClaimAsync(id, 1, Hello, default);

        onA.IsOwner.Should().BeTrue();
        onB.IsOwner.Should().BeTrue();
        appendedOnA.Appended.Should().BeTrue();
        appendedOnB.Appended.Should().BeFalse();
        appendedOnB.Message.Should().Be(appendedOnA.Message);
        rejectionRecorded.Should().BeFalse("an acceptance is final");
        (await resend.Outcome.WaitAsync(Guard)).Should().Be(EditOutcome.Accepted);
        (await a.Log.RecentAsync(10)).Should().ContainSingle(m => m.Id == id.Value);
    }

    [SkippableFact]
    public async Task ClaimAsync_WhileRedisIsDown_WaitsAndClaimsOnceRedisIsBack()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await RedisNode.ConnectAsync(redis);
        await redis.KillAsync();

        var claim = a.Ledger.ClaimAsync(EditId.New(), 1, Hello, default).AsTask();
        await Faults.Eventually.HoldsAsync(() => a.Retry.Retries >= 1, "the lookup failed while Redis was away (logged once, as the outage starts)", a.Logs.Written, TimeSpan.FromSeconds(20));
        var pendingWhileDown = !claim.IsCompleted;
        await redis.RestartAsync();

        pendingWhileDown.Should().BeTrue("an edit whose outcome Redis holds stays pending while Redis is away, never failed");
        (await claim.WaitAsync(TimeSpan.FromSeconds(20))).IsOwner.Should().BeTrue("the lookup reached Redis once it was back");
    }

    [SkippableFact]
    public async Task ClaimAsync_WhileRedisIsDown_EndsWhenTheConnectionEnds()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await RedisNode.ConnectAsync(redis);
        await redis.KillAsync();
        using var connectionEnded = new CancellationTokenSource();

        var claim = a.Ledger.ClaimAsync(EditId.New(), 1, Hello, connectionEnded.Token).AsTask();
        await Faults.Eventually.HoldsAsync(() => a.Retry.Retries >= 1, "the lookup failed once", a.Logs.Written, TimeSpan.FromSeconds(20));
        await connectionEnded.CancelAsync();

        await FluentActions.Awaiting(() => claim).Should().ThrowAsync<OperationCanceledException>();
    }
}
