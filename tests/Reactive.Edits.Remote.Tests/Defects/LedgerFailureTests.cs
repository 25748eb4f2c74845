namespace Reactive.Edits.Remote.Tests.Defects;

/// <summary>A ledger that fails (a full disk under a durable ledger) must not leave an edit unanswered: the client
/// would resend it forever, and nothing would say why.</summary>
public sealed class LedgerFailureTests
{
    [Fact]
    public async Task Server_LedgerCannotRecordARejection_AnswersTheRejectionAndRaisesLedgerFailed()
    {
        var ledger = new FailingLedger(failClaim: false);
        using var server = new RemoteEditServer().Handle<string>(static (_, _, _) => throw new RemoteEditRejectedException("app.refused", "No."), ledger);
        var raised = new List<RemoteEditLedgerFailedEventArgs>();
        server.LedgerFailed += (_, e) => raised.Add(e);
        var request = new EditRequest<string>(EditId.New(), 1, "x");

        var reply = await server.ExecuteAsync(request, new RemoteEditConnection("c", null), default);

        reply.Should().NotBeNull("an outcome that could not be recorded is still the outcome: the client must hear it");
        reply!.Value.Outcome.Error!.Code.Should().Be("app.refused");
        raised.Should().ContainSingle().Which.Exception.Should().BeSameAs(ledger.Failure);
        raised[0].Context.Id.Should().Be(request.Id);
    }

    [Fact]
    public async Task Server_LedgerCannotClaim_AnswersUnavailableWithoutRunningTheHandler()
    {
        var ledger = new FailingLedger(failClaim: true);
        var ran = 0;
        using var server = new RemoteEditServer().Handle<string>((_, _, _) => { ran++; return Task.CompletedTask; }, ledger);
        var raised = new List<RemoteEditLedgerFailedEventArgs>();
        server.LedgerFailed += (_, e) => raised.Add(e);

        var reply = await server.ExecuteAsync(new EditRequest<string>(EditId.New(), 1, "x"), new RemoteEditConnection("c", null), default);

        reply.Should().NotBeNull("the client must learn that nothing ran, instead of resending forever");
        reply!.Value.Outcome.Error!.Code.Should().Be(RemoteErrorCodes.Unavailable);
        ran.Should().Be(0);
        raised.Should().ContainSingle().Which.Exception.Should().BeSameAs(ledger.Failure);
    }

    [Fact]
    public async Task Server_LedgerFailedSubscriberThrows_TheEditIsStillAnswered()
    {
        using var server = new RemoteEditServer().Handle<string>(static (_, _, _) => Task.CompletedTask, new FailingLedger(failClaim: true));
        server.LedgerFailed += (_, _) => throw new InvalidOperationException("logger down");

        var reply = await server.ExecuteAsync(new EditRequest<string>(EditId.New(), 1, "x"), new RemoteEditConnection("c", null), default);

        reply!.Value.Outcome.Error!.Code.Should().Be(RemoteErrorCodes.Unavailable);
    }

    // Claims like the in-memory ledger, and fails either the claim or the record of the outcome, as a full disk does.
    private sealed class FailingLedger(bool failClaim) : IEditLedger<string>
    {
        private readonly InMemoryEditLedger<string> _inner = new();

        public Exception Failure { get; } = new IOException("disk full");

        public ValueTask<EditClaim> ClaimAsync(EditId id, int attempt, string command, CancellationToken cancellationToken) =>
            failClaim ? ValueTask.FromException<EditClaim>(Failure) : _inner.ClaimAsync(id, attempt, command, cancellationToken);

        public async ValueTask CompleteAsync(EditId id, int attempt, EditOutcome outcome, CancellationToken cancellationToken)
        {
            await _inner.AbandonAsync(id, attempt, cancellationToken);
            throw Failure;
        }

        public ValueTask AbandonAsync(EditId id, int attempt, CancellationToken cancellationToken) =>
            _inner.AbandonAsync(id, attempt, cancellationToken);
    }
}
