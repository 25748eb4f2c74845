using System.Security.Claims;
using Reactive.Edits.Remote;

namespace Reactive.Edits.Remote.Tests;

public sealed class RemoteEditServerTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    private readonly RemoteEditConnection _connection = new("c1", new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "ada")], "test")));

    [Fact]
    public async Task Execute_NewEdit_RunsTheHandlerWithTheContextAndAccepts()
    {
        RemoteEditContext? seen = null;
        using var server = new RemoteEditServer().Handle<string>((_, context, _) =>
        {
            seen = context;
            return Task.CompletedTask;
        });
        var request = new EditRequest<string>(EditId.New(), 1, "hi");

        var reply = await server.ExecuteAsync(request, _connection, default);

        reply.Should().Be(new EditReply(request.Id, 1, EditOutcome.Accepted));
        seen.Should().Be(new RemoteEditContext(request.Id, 1, _connection));
        seen!.Connection.User!.Identity!.Name.Should().Be("ada");
    }

    [Fact]
    public async Task Execute_Resend_AnsweredWithTheFirstOutcome_HandlerRunsOnce()
    {
        var runs = 0;
        using var server = new RemoteEditServer().Handle<string>((_, _, _) =>
        {
            Interlocked.Increment(ref runs);
            return Task.CompletedTask;
        });
        var request = new EditRequest<string>(EditId.New(), 1, "hi");

        await server.ExecuteAsync(request, _connection, default);
        var second = await server.ExecuteAsync(request, new RemoteEditConnection("c2", null), default);

        second!.Value.Outcome.IsAccepted.Should().BeTrue();
        runs.Should().Be(1);
    }

    [Fact]
    public async Task Execute_HandlerRejects_CodeAndMessageReachTheClientAndResendsGetTheSame()
    {
        var runs = 0;
        using var server = new RemoteEditServer().Handle<string>((_, _, _) =>
        {
            runs++;
            throw new RemoteEditRejectedException("chat.too-long", "At most 5 characters.");
        });
        var request = new EditRequest<string>(EditId.New(), 1, "too long");

        var first = await server.ExecuteAsync(request, _connection, default);
        var resend = await server.ExecuteAsync(request, _connection, default);

        first!.Value.Outcome.Error.Should().Be(new RemoteError("chat.too-long", "At most 5 characters."));
        resend.Should().Be(first);
        runs.Should().Be(1);
    }

    [Fact]
    public async Task Execute_HandlerFails_RejectsWithAGenericErrorWithoutDetails()
    {
        using var server = new RemoteEditServer().Handle<string>((_, _, _) => Task.FromException(new InvalidOperationException("secret connection string")));

        var reply = await server.ExecuteAsync(new EditRequest<string>(EditId.New(), 1, "hi"), _connection, default);

        reply!.Value.Outcome.Error!.Code.Should().Be(RemoteErrorCodes.Failed);
        reply.Value.Outcome.Error.Message.Should().NotContain("secret");
    }

    [Fact]
    public async Task Execute_ResendWhileInProgress_JoinsTheRun_OneEffectBothAnswered()
    {
        var runs = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new RemoteEditServer().Handle<string>(async (_, _, _) =>
        {
            Interlocked.Increment(ref runs);
            started.TrySetResult();
            await release.Task;
        });
        var request = new EditRequest<string>(EditId.New(), 1, "hi");

        var original = server.ExecuteAsync(request, _connection, default);
        await started.Task.WaitAsync(Guard);
        var joined = server.ExecuteAsync(request, new RemoteEditConnection("c2", null), default);
        joined.IsCompleted.Should().BeFalse();
        release.SetResult();

        (await original.WaitAsync(Guard))!.Value.Outcome.IsAccepted.Should().BeTrue();
        (await joined.WaitAsync(Guard))!.Value.Outcome.IsAccepted.Should().BeTrue();
        runs.Should().Be(1);
    }

    [Fact]
    public async Task Execute_ManyThreadsResendingTheSameId_OneEffect()
    {
        var runs = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new RemoteEditServer().Handle<string>(async (_, _, _) =>
        {
            Interlocked.Increment(ref runs);
            await release.Task;
        });
        var request = new EditRequest<string>(EditId.New(), 1, "hi");
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Each continuation of the start gate runs on its own thread-pool work item: the resends race each other.
        var replies = Enumerable.Range(0, 32).Select(async i =>
        {
            await go.Task;
            return await server.ExecuteAsync(request, new RemoteEditConnection($"c{i}", null), default);
        }).ToArray();
        go.SetResult();
        var firstWave = Task.WhenAll(replies);
        release.SetResult();
        var all = await firstWave.WaitAsync(Guard);

        all.Should().HaveCount(32).And.OnlyContain(r => r!.Value.Outcome.IsAccepted);
        runs.Should().Be(1);
    }

    [Fact]
    public async Task Execute_SameIdDifferentCommand_RejectedWithTheConflictCode()
    {
        using var server = new RemoteEditServer().Handle<string>((_, _, _) => Task.CompletedTask);
        var id = EditId.New();
        await server.ExecuteAsync(new EditRequest<string>(id, 1, "hi"), _connection, default);

        var reply = await server.ExecuteAsync(new EditRequest<string>(id, 1, "something else"), _connection, default);

        reply!.Value.Outcome.Error!.Code.Should().Be(RemoteErrorCodes.ConflictingCommand);
    }

    [Fact]
    public async Task Execute_RetryAfterRejection_RunsTheHandlerAgain()
    {
        var runs = 0;
        using var server = new RemoteEditServer().Handle<string>((_, context, _) =>
        {
            runs++;
            return context.Attempt == 1 ? throw new RemoteEditRejectedException("rate", "Too fast.") : Task.CompletedTask;
        });
        var id = EditId.New();

        var first = await server.ExecuteAsync(new EditRequest<string>(id, 1, "hi"), _connection, default);
        var retry = await server.ExecuteAsync(new EditRequest<string>(id, 2, "hi"), _connection, default);

        first!.Value.Outcome.IsAccepted.Should().BeFalse();
        retry.Should().Be(new EditReply(id, 2, EditOutcome.Accepted));
        runs.Should().Be(2);
    }

    [Fact]
    public async Task Dispose_WhileHandlerRuns_AbandonsWithoutAnswer()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = new RemoteEditServer().Handle<string>(async (_, _, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        });
        var request = new EditRequest<string>(EditId.New(), 1, "hi");

        var running = server.ExecuteAsync(request, _connection, default);
        await started.Task.WaitAsync(Guard);
        server.Dispose();

        (await running.WaitAsync(Guard)).Should().BeNull();
        (await server.GetLedger<string>().ClaimAsync(request.Id, 1, "hi", default)).IsOwner.Should().BeTrue("an abandoned run may be claimed again");
    }

    [Fact]
    public async Task Execute_InvalidArguments_Throw()
    {
        using var server = new RemoteEditServer().Handle<string>((_, _, _) => Task.CompletedTask);

        var noConnection = () => server.ExecuteAsync(new EditRequest<string>(EditId.New(), 1, "hi"), null!, default);
        var badAttempt = () => server.ExecuteAsync(new EditRequest<string>(EditId.New(), 0, "hi"), _connection, default);
        var noHandler = () => new RemoteEditServer().Handle<string>(null!);
        var noLedger = () => new RemoteEditServer().Handle<string>((_, _, _) => Task.CompletedTask, null!);

        await noConnection.Should().ThrowAsync<ArgumentNullException>();
        await badAttempt.Should().ThrowAsync<ArgumentOutOfRangeException>();
        noHandler.Should().Throw<ArgumentNullException>();
        noLedger.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Connection_OutboxFull_ClosesTheConnectionInsteadOfGrowing()
    {
        var connection = new RemoteEditConnection("slow", null, outboxCapacity: 2);

        connection.TryPost(ChannelMessage.Text("1")).Should().BeTrue();
        connection.TryPost(ChannelMessage.Text("2")).Should().BeTrue();
        connection.TryPost(ChannelMessage.Text("3")).Should().BeFalse();

        connection.Overflowed.Should().BeTrue();
        connection.Closed.IsCancellationRequested.Should().BeTrue();
        connection.TryPost(ChannelMessage.Text("4")).Should().BeFalse();
    }

    [Fact]
    public void Connection_PostsAreReadInOrder()
    {
        var connection = new RemoteEditConnection("c", null);

        connection.TryPost(ChannelMessage.Text("a"));
        connection.TryPost(ChannelMessage.Text("b"));

        connection.Outgoing.TryRead(out var first).Should().BeTrue();
        connection.Outgoing.TryRead(out var second).Should().BeTrue();
        (first.GetText() + second.GetText()).Should().Be("ab");
    }
}
