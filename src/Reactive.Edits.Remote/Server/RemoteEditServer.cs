namespace Reactive.Edits.Remote;

/// <summary>Runs incoming edits exactly once per edit id and produces the answer for the issuing connection, without doing any I/O itself.</summary>
/// <typeparam name="TCommand">The type of the edits' commands.</typeparam>
/// <remarks>
/// <list type="table">
/// <listheader><term>incoming edit</term><description>what happens</description></listheader>
/// <item><term>new id</term><description>the handler runs; completing accepts, a <see cref="RemoteEditRejectedException"/> rejects with its code and message, any other exception rejects with <see cref="RemoteErrorCodes.Failed"/></description></item>
/// <item><term>resend of a completed id</term><description>answered with the first outcome; the handler does not run again</description></item>
/// <item><term>resend of an id in progress (e.g. from the client's new connection)</term><description>joins the run: one effect, both get the outcome</description></item>
/// <item><term>later attempt after a rejection (a user's retry)</term><description>the handler runs again</description></item>
/// <item><term>same id, different command</term><description>rejected with <see cref="RemoteErrorCodes.ConflictingCommand"/></description></item>
/// <item><term>handler cancelled because the server is disposed</term><description>the run is abandoned in the ledger and nothing is answered (the client resends later)</description></item>
/// </list>
/// <para><b>Ordering</b>: the handler must post (or broadcast) the authoritative change containing the edit's effect
/// to the connections' outboxes before it returns; the answer is posted to the issuing connection's outbox after it
/// returns. Since one connection's outbox is sent in order, the client sees the change before the ack and can
/// reconcile by key without flicker. <see cref="RemoteEditChannelExtensions.RunAsync{TCommand}(RemoteEditServer{TCommand}, RemoteEditConnection, IMessageChannel, EditWireProtocol{TCommand}, Func{RemoteEditConnection, WireMessage{TCommand}, CancellationToken, ValueTask}?, CancellationToken)"/>
/// does exactly this; another transport calling <see cref="ExecuteAsync"/> must post the reply after it completes.</para>
/// <para>The handler's effect should be atomic: a thrown exception is taken to mean "no effect". Its cancellation token
/// fires only when the server is disposed, not when the issuing connection drops (another connection may be waiting
/// for the same run).</para>
/// <para>Thread safety: every member may be called from any thread; edits run concurrently.</para>
/// <example>
/// <code>
/// var server = new RemoteEditServer&lt;SendMessage&gt;(async (command, context, ct) =&gt;
/// {
///     if (command.Text.Length &gt; 500) throw new RemoteEditRejectedException("chat.too-long", "At most 500 characters.");
///     var message = new ChatMessage(context.Id, context.Connection.User!.Identity!.Name!, command.Text);
///     await store.AddAsync(message, ct);
///     broadcast(message);   // posted to every connection's outbox before the handler returns
/// });
/// </code>
/// </example>
/// </remarks>
public sealed class RemoteEditServer<TCommand> : IDisposable
{
    private const string FailedMessage = "The server could not apply the edit.";

    private readonly Func<TCommand, RemoteEditContext, CancellationToken, Task> _handler;
    private readonly CancellationTokenSource _lifetime = new();
    private int _disposed;

    /// <summary>Initializes a server with an <see cref="InMemoryEditLedger{TCommand}"/> with the default options.</summary>
    /// <param name="handler">Applies one edit: given the command, the context (edit id, connection) and a token that fires when the server is disposed.</param>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is <see langword="null"/>.</exception>
    public RemoteEditServer(Func<TCommand, RemoteEditContext, CancellationToken, Task> handler)
        : this(handler, new InMemoryEditLedger<TCommand>())
    {
    }

    /// <summary>Initializes a server with a ledger of your choice.</summary>
    /// <param name="handler">Applies one edit: given the command, the context (edit id, connection) and a token that fires when the server is disposed.</param>
    /// <param name="ledger">Deduplicates by edit id; an <see cref="InMemoryEditLedger{TCommand}"/> or a durable store.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public RemoteEditServer(Func<TCommand, RemoteEditContext, CancellationToken, Task> handler, IEditLedger<TCommand> ledger)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(ledger);
        _handler = handler;
        Ledger = ledger;
    }

    /// <summary>Occurs when a handler fails with an exception other than a <see cref="RemoteEditRejectedException"/>, before the rejection (<see cref="RemoteErrorCodes.Failed"/>) is recorded and answered.</summary>
    /// <remarks>
    /// <para>Raised on the thread the handler failed on; the failure is also counted in the
    /// <see cref="Diagnostics.EditDiagnostics.RemoteHandlerFailures"/> counter of the <c>Reactive.Edits</c> meter.
    /// An exception thrown by a subscriber is ignored: the edit's outcome is recorded and answered regardless.</para>
    /// </remarks>
    public event EventHandler<RemoteEditHandlerFailedEventArgs>? HandlerFailed;

    /// <summary>Gets the ledger that deduplicates by edit id.</summary>
    public IEditLedger<TCommand> Ledger { get; }

    /// <summary>Runs an incoming edit (or joins or answers it from the ledger) and returns the answer for the issuing connection.</summary>
    /// <param name="request">The incoming envelope.</param>
    /// <param name="connection">The connection it arrived on.</param>
    /// <param name="cancellationToken">Stops waiting for the outcome; the run itself continues.</param>
    /// <returns>The reply to send to <paramref name="connection"/>, after the run completed; <see langword="null"/> if the run was abandoned (nothing should be answered).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The request's attempt is less than 1.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public async Task<EditReply?> ExecuteAsync(EditRequest<TCommand> request, RemoteEditConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.Attempt, 1, nameof(request));
        var claim = await Ledger.ClaimAsync(request.Id, request.Attempt, request.Command, cancellationToken).ConfigureAwait(false);
        if (claim.IsOwner)
        {
            var outcome = await RunAsync(request, connection).ConfigureAwait(false);
            return outcome is { } known ? new EditReply(request.Id, request.Attempt, known) : null;
        }

        try
        {
            var outcome = await claim.Outcome.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new EditReply(request.Id, request.Attempt, outcome);
        }
        catch (OperationCanceledException) when (claim.Outcome.IsCanceled)
        {
            return null;
        }
    }

    /// <summary>Cancels the handlers' token; runs that end cancelled are abandoned in the ledger.</summary>
    /// <remarks>Calling it again does nothing.</remarks>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _lifetime.Cancel();
        _lifetime.Dispose();
    }

    private void OnHandlerFailed(EditRequest<TCommand> request, RemoteEditConnection connection, Exception exception)
    {
        RemoteMetrics.HandlerFailed(typeof(TCommand));
        if (HandlerFailed is not { } handlers)
        {
            return;
        }

        try
        {
            handlers(this, new RemoteEditHandlerFailedEventArgs(new RemoteEditContext(request.Id, request.Attempt, connection), request.Command!, exception));
        }
#pragma warning disable CA1031 // A failing subscriber (a logger) must not leave the edit's outcome unrecorded.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private async Task<EditOutcome?> RunAsync(EditRequest<TCommand> request, RemoteEditConnection connection)
    {
        EditOutcome outcome;
        CancellationToken lifetime;
        try
        {
            lifetime = _lifetime.Token;
        }
        catch (ObjectDisposedException)
        {
            await Ledger.AbandonAsync(request.Id, request.Attempt, CancellationToken.None).ConfigureAwait(false);
            return null;
        }

        try
        {
            var task = _handler(request.Command, new RemoteEditContext(request.Id, request.Attempt, connection), lifetime)
                ?? throw new InvalidOperationException("The edit handler returned a null task.");
            await task.ConfigureAwait(false);
            outcome = EditOutcome.Accepted;
        }
        catch (RemoteEditRejectedException ex)
        {
            outcome = EditOutcome.Rejected(ex.Error);
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            await Ledger.AbandonAsync(request.Id, request.Attempt, CancellationToken.None).ConfigureAwait(false);
            return null;
        }
#pragma warning disable CA1031 // Any other failure of the application's handler is a rejection whose details must not leak to the client.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            OnHandlerFailed(request, connection, ex);
            outcome = EditOutcome.Rejected(new RemoteError(RemoteErrorCodes.Failed, FailedMessage));
        }

        await Ledger.CompleteAsync(request.Id, request.Attempt, outcome, CancellationToken.None).ConfigureAwait(false);
        return outcome;
    }
}
