namespace Reactive.Edits.Remote.Tests.Support;

/// <summary>A server reduced to its deduplicating ledger: runs each edit it receives at most once per id and answers resends with the recorded outcome.</summary>
/// <remarks>The ledger answers synchronously (it is in memory), so a test drives the whole exchange on its own thread.</remarks>
internal sealed class LedgerServer
{
    private readonly InMemoryEditLedger<string> _ledger = new(new InMemoryEditLedgerOptions { Expiry = Timeout.InfiniteTimeSpan });
    private readonly List<EditId> _applied = [];

    /// <summary>Gets or sets the error of the next runs; <see langword="null"/> applies them.</summary>
    public Func<EditRequest<string>, RemoteError?> Decide { get; set; } = static _ => null;

    /// <summary>Gets the ids of the edits the server applied, once per application.</summary>
    public IReadOnlyList<EditId> Applied => _applied;

    /// <summary>Gets how many requests arrived, resends included.</summary>
    public int Received { get; private set; }

    public EditReply Receive(EditRequest<string> request)
    {
        Received++;
        var claim = _ledger.ClaimAsync(request.Id, request.Attempt, request.Command, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        if (claim.IsOwner)
        {
            var error = Decide(request);
            if (error is null)
            {
                _applied.Add(request.Id);
            }

            _ledger.CompleteAsync(request.Id, request.Attempt, error is null ? EditOutcome.Accepted : EditOutcome.Rejected(error), CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }

        claim.Outcome.IsCompleted.Should().BeTrue("the in-memory ledger completes the outcome when the run completes");
        return new EditReply(request.Id, request.Attempt, claim.Outcome.Result);
    }
}
