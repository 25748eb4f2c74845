using Reactive.Edits.Remote;
using Reactive.Edits.Testing;

namespace Reactive.Edits.Remote.Tests;

public sealed class InMemoryEditLedgerTests
{
    private readonly TestClock _clock = new();

    [Fact]
    public async Task Claim_NewId_OwnsTheRun()
    {
        var ledger = new InMemoryEditLedger<string>(InMemoryEditLedgerOptions.Default, _clock);

        var claim = await ledger.ClaimAsync(EditId.New(), 1, "a", default);

        claim.IsOwner.Should().BeTrue();
        claim.Outcome.IsCompleted.Should().BeFalse();
    }

    [Fact]
    public async Task Claim_InProgress_JoinsAndGetsTheOwnersOutcome()
    {
        var ledger = new InMemoryEditLedger<string>(InMemoryEditLedgerOptions.Default, _clock);
        var id = EditId.New();
        var owner = await ledger.ClaimAsync(id, 1, "a", default);

        var joiner = await ledger.ClaimAsync(id, 1, "a", default);
        joiner.IsOwner.Should().BeFalse();
        joiner.Outcome.IsCompleted.Should().BeFalse();
        await ledger.CompleteAsync(id, 1, EditOutcome.Accepted, default);

        (await joiner.Outcome.WaitAsync(TimeSpan.FromSeconds(10))).IsAccepted.Should().BeTrue();
        (await owner.Outcome.WaitAsync(TimeSpan.FromSeconds(10))).IsAccepted.Should().BeTrue();
    }

    [Fact]
    public async Task Claim_Completed_AnswersTheFirstOutcomeWithoutOwnership()
    {
        var ledger = new InMemoryEditLedger<string>(InMemoryEditLedgerOptions.Default, _clock);
        var id = EditId.New();
        await ledger.ClaimAsync(id, 1, "a", default);
        var rejection = EditOutcome.Rejected(new RemoteError("x", "no"));
        await ledger.CompleteAsync(id, 1, rejection, default);

        var resend = await ledger.ClaimAsync(id, 1, "a", default);

        resend.IsOwner.Should().BeFalse();
        (await resend.Outcome).Should().Be(rejection);
    }

    [Fact]
    public async Task Claim_SameIdDifferentCommand_IsRejectedAsAConflict()
    {
        var ledger = new InMemoryEditLedger<string>(InMemoryEditLedgerOptions.Default, _clock);
        var id = EditId.New();
        await ledger.ClaimAsync(id, 1, "a", default);

        var inProgress = await ledger.ClaimAsync(id, 1, "b", default);
        await ledger.CompleteAsync(id, 1, EditOutcome.Accepted, default);
        var completed = await ledger.ClaimAsync(id, 2, "b", default);

        inProgress.IsOwner.Should().BeFalse();
        (await inProgress.Outcome).Error!.Code.Should().Be(RemoteErrorCodes.ConflictingCommand);
        completed.IsOwner.Should().BeFalse();
        (await completed.Outcome).Error!.Code.Should().Be(RemoteErrorCodes.ConflictingCommand);
    }

    [Fact]
    public async Task Claim_LaterAttemptAfterRejection_OwnsANewRun_EvenWithACorrectedCommand()
    {
        var ledger = new InMemoryEditLedger<string>(InMemoryEditLedgerOptions.Default, _clock);
        var id = EditId.New();
        await ledger.ClaimAsync(id, 1, "too long", default);
        await ledger.CompleteAsync(id, 1, EditOutcome.Rejected(new RemoteError("x", "no")), default);

        var sameAttempt = await ledger.ClaimAsync(id, 1, "too long", default);
        var retry = await ledger.ClaimAsync(id, 2, "short", default);

        sameAttempt.IsOwner.Should().BeFalse();
        retry.IsOwner.Should().BeTrue();
        await ledger.CompleteAsync(id, 2, EditOutcome.Accepted, default);
        (await retry.Outcome).IsAccepted.Should().BeTrue();
        ledger.Count.Should().Be(1);
    }

    [Fact]
    public async Task Claim_LaterAttemptAfterAcceptance_GetsTheAcceptance()
    {
        var ledger = new InMemoryEditLedger<string>(InMemoryEditLedgerOptions.Default, _clock);
        var id = EditId.New();
        await ledger.ClaimAsync(id, 1, "a", default);
        await ledger.CompleteAsync(id, 1, EditOutcome.Accepted, default);

        var retry = await ledger.ClaimAsync(id, 2, "a", default);

        retry.IsOwner.Should().BeFalse();
        (await retry.Outcome).IsAccepted.Should().BeTrue();
    }

    [Fact]
    public async Task Capacity_IsRespected_OldestCompletedIsForgotten()
    {
        var ledger = new InMemoryEditLedger<string>(new InMemoryEditLedgerOptions { Capacity = 100 }, _clock);
        var ids = new List<EditId>();
        for (var i = 0; i < 1_000; i++)
        {
            var id = EditId.New();
            ids.Add(id);
            await ledger.ClaimAsync(id, 1, "a", default);
            await ledger.CompleteAsync(id, 1, EditOutcome.Accepted, default);
            ledger.Count.Should().BeLessThanOrEqualTo(100);
        }

        (await ledger.ClaimAsync(ids[^1], 1, "a", default)).IsOwner.Should().BeFalse("the newest is remembered");
        (await ledger.ClaimAsync(ids[0], 1, "a", default)).IsOwner.Should().BeTrue("the oldest was forgotten");
    }

    [Fact]
    public async Task Capacity_RepeatedRetriesOfOneId_DoNotGrowMemory()
    {
        var ledger = new InMemoryEditLedger<string>(new InMemoryEditLedgerOptions { Capacity = 10, Expiry = Timeout.InfiniteTimeSpan }, _clock);
        var id = EditId.New();
        for (var attempt = 1; attempt <= 1_000; attempt++)
        {
            (await ledger.ClaimAsync(id, attempt, "a", default)).IsOwner.Should().BeTrue();
            await ledger.CompleteAsync(id, attempt, EditOutcome.Rejected(new RemoteError("x", "no")), default);
        }

        ledger.Count.Should().Be(1);
    }

    [Fact]
    public async Task Expiry_ForgetsCompletedEntriesAfterTheWindow()
    {
        var ledger = new InMemoryEditLedger<string>(new InMemoryEditLedgerOptions { Expiry = TimeSpan.FromMinutes(1) }, _clock);
        var id = EditId.New();
        await ledger.ClaimAsync(id, 1, "a", default);
        await ledger.CompleteAsync(id, 1, EditOutcome.Accepted, default);

        _clock.AdvanceBy(TimeSpan.FromSeconds(59));
        (await ledger.ClaimAsync(id, 1, "a", default)).IsOwner.Should().BeFalse();
        _clock.AdvanceBy(TimeSpan.FromSeconds(1));

        ledger.Count.Should().Be(0);
        (await ledger.ClaimAsync(id, 1, "a", default)).IsOwner.Should().BeTrue();
    }

    [Fact]
    public async Task Expiry_DoesNotForgetEditsInProgress()
    {
        var ledger = new InMemoryEditLedger<string>(new InMemoryEditLedgerOptions { Capacity = 1, Expiry = TimeSpan.FromSeconds(1) }, _clock);
        var running = EditId.New();
        await ledger.ClaimAsync(running, 1, "a", default);
        for (var i = 0; i < 5; i++)
        {
            var id = EditId.New();
            await ledger.ClaimAsync(id, 1, "b", default);
            await ledger.CompleteAsync(id, 1, EditOutcome.Accepted, default);
        }

        _clock.AdvanceBy(TimeSpan.FromHours(1));

        (await ledger.ClaimAsync(running, 1, "a", default)).IsOwner.Should().BeFalse();
    }

    [Fact]
    public async Task Abandon_CancelsJoinersAndFreesTheId()
    {
        var ledger = new InMemoryEditLedger<string>(InMemoryEditLedgerOptions.Default, _clock);
        var id = EditId.New();
        await ledger.ClaimAsync(id, 1, "a", default);
        var joiner = await ledger.ClaimAsync(id, 1, "a", default);

        await ledger.AbandonAsync(id, 1, default);

        await joiner.Invoking(j => j.Outcome.WaitAsync(TimeSpan.FromSeconds(10))).Should().ThrowAsync<TaskCanceledException>();
        (await ledger.ClaimAsync(id, 1, "a", default)).IsOwner.Should().BeTrue();
    }

    [Fact]
    public async Task Complete_WithoutAnOwnedClaim_Throws()
    {
        var ledger = new InMemoryEditLedger<string>(InMemoryEditLedgerOptions.Default, _clock);

        var act = async () => await ledger.CompleteAsync(EditId.New(), 1, EditOutcome.Accepted, default);

        await act.Should().ThrowAsync<InvalidOperationException>();
    }

    [Fact]
    public async Task Claim_ManyThreadsSameId_ExactlyOneOwner()
    {
        var ledger = new InMemoryEditLedger<string>(InMemoryEditLedgerOptions.Default, _clock);
        var id = EditId.New();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var pending = Enumerable.Range(0, 64).Select(async _ =>
        {
            await go.Task;
            return await ledger.ClaimAsync(id, 1, "a", default);
        }).ToArray();
        go.SetResult();
        var claims = await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(10));

        claims.Count(c => c.IsOwner).Should().Be(1);
        claims.Select(c => c.Outcome).Distinct().Should().ContainSingle();
    }

    [Fact]
    public void Constructor_InvalidArguments_Throw()
    {
        var noOptions = () => new InMemoryEditLedger<string>(null!);
        var noScheduler = () => new InMemoryEditLedger<string>(InMemoryEditLedgerOptions.Default, null!);
        var noComparer = () => new InMemoryEditLedger<string>(InMemoryEditLedgerOptions.Default, null!, _clock);
        var badCapacity = () => new InMemoryEditLedger<string>(new InMemoryEditLedgerOptions { Capacity = 0 });
        var badExpiry = () => new InMemoryEditLedger<string>(new InMemoryEditLedgerOptions { Expiry = TimeSpan.Zero });

        noOptions.Should().Throw<ArgumentNullException>();
        noScheduler.Should().Throw<ArgumentNullException>();
        noComparer.Should().Throw<ArgumentNullException>();
        badCapacity.Should().Throw<ArgumentOutOfRangeException>();
        badExpiry.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Options_Defaults_AreAsDocumented()
    {
        InMemoryEditLedgerOptions.Default.Capacity.Should().Be(10_000);
        InMemoryEditLedgerOptions.Default.Expiry.Should().Be(TimeSpan.FromMinutes(10));
    }
}
