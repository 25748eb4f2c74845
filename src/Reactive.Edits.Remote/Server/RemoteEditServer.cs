using System.Collections.Concurrent;

namespace Reactive.Edits.Remote;

/// <summary>Runs incoming edits of one or several command types exactly once per edit id and produces the answer for the issuing connection, without doing any I/O itself.</summary>
/// <remarks>
/// <para>Each command type gets its handler and its ledger with <see cref="Handle{TCommand}(Func{TCommand, RemoteEditContext, CancellationToken, Task}, IEditLedger{TCommand})"/>;
/// incoming edits are routed by the type the protocol read their command into. There is no union type to write.</para>
/// <list type="table">
/// <listheader><term>incoming edit</term><description>what happens</description></listheader>
/// <item><term>new id</term><description>the handler of its type runs; completing accepts, a <see cref="RemoteEditRejectedException"/> rejects with its code and message, any other exception rejects with <see cref="RemoteErrorCodes.Failed"/> and raises <see cref="HandlerFailed"/></description></item>
/// <item><term>resend of a completed id</term><description>answered with the first outcome; the handler does not run again</description></item>
/// <item><term>resend of an id in progress (e.g. from the client's new connection)</term><description>joins the run: one effect, both get the outcome</description></item>
/// <item><term>later attempt after a rejection (a user's retry)</term><description>the handler runs again</description></item>
/// <item><term>same id, different command</term><description>rejected with <see cref="RemoteErrorCodes.ConflictingCommand"/></description></item>
/// <item><term>a command kind the protocol does not know, or a type without a handler</term><description>rejected with <see cref="RemoteErrorCodes.UnknownCommand"/>; nothing runs, the connection goes on</description></item>
/// <item><term>the ledger fails to claim the edit (e.g. its store is failing)</term><description>rejected with <see cref="RemoteErrorCodes.Unavailable"/>; nothing runs; raises <see cref="LedgerFailed"/></description></item>
/// <item><term>the ledger fails to record the outcome</term><description>the outcome is answered anyway (a resend may then run the edit again); raises <see cref="LedgerFailed"/></description></item>
/// <item><term>handler cancelled because the server is disposed</term><description>the run is abandoned in the ledger and nothing is answered (the client resends later)</description></item>
/// </list>
/// <para><b>Ordering</b>: the handler must post (or broadcast) the authoritative change containing the edit's effect
/// to the connections' outboxes before it returns; the answer is posted to the issuing connection's outbox after it
/// returns. Since one connection's outbox is sent in order, the client sees the change before the ack and can
/// reconcile by key without flicker. The channel driver (<see cref="RemoteEditChannelExtensions"/>) does exactly this,
/// and runs at most <see cref="RemoteEditServerOptions.MaxConcurrentEditsPerConnection"/> edits of a connection at
/// once, started in arrival order; another transport calling <see cref="ExecuteAsync"/> must post the reply after it completes.</para>
/// <para>The handler's effect should be atomic: a thrown exception is taken to mean "no effect". Its cancellation token
/// fires only when the server is disposed, not when the issuing connection drops (another connection may be waiting
/// for the same run).</para>
/// <para>Thread safety: every member may be called from any thread; register handlers before the first edit arrives.</para>
/// <example>
/// <code>
/// var server = new RemoteEditServer()
///     .Handle&lt;SendMessage&gt;(async (command, context, ct) =&gt;
///     {
///         if (command.Text.Length &gt; 500) throw new RemoteEditRejectedException("chat.too-long", "At most 500 characters.");
///         var message = new ChatMessage(context.Id, context.Connection.User!.Identity!.Name!, command.Text);
///         await store.AddAsync(message, ct);
///         broadcast(message);   // posted to every connection's outbox before the handler returns
///     })
///     .Handle&lt;RenameRoom&gt;((command, context, ct) =&gt; rooms.RenameAsync(command.Name, ct));
/// server.HandlerFailed += (_, e) =&gt; logger.LogError(e.Exception, "Edit {Id} failed", e.Context.Id);
/// </code>
/// </example>
/// </remarks>
public sealed class RemoteEditServer : IDisposable
{
    private const string FailedMessage = "The server could not apply the edit.";
    private const string UnavailableMessage = "The server cannot check this edit against its record of earlier ones right now; nothing was applied. Retry later.";

    private readonly ConcurrentDictionary<Type, Route> _routes = new();
    private readonly CancellationTokenSource _lifetime = new();
    private int _disposed;

    /// <summary>Initializes a server with the default options; add handlers with <c>Handle</c>.</summary>
    public RemoteEditServer()
        : this(RemoteEditServerOptions.Default)
    {
    }

    /// <summary>Initializes a server; add handlers with <c>Handle</c>.</summary>
    /// <param name="options">The per-connection bound of edits running at once.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public RemoteEditServer(RemoteEditServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>Occurs when a handler fails with an exception other than a <see cref="RemoteEditRejectedException"/>, before the rejection (<see cref="RemoteErrorCodes.Failed"/>) is recorded and answered.</summary>
    /// <remarks>
    /// <para>Raised on the thread the handler failed on; the failure is also counted in the
    /// <see cref="Diagnostics.EditDiagnostics.RemoteHandlerFailures"/> counter of the <c>Reactive.Edits</c> meter.
    /// An exception thrown by a subscriber is ignored: the edit's outcome is recorded and answered regardless.</para>
    /// </remarks>
    public event EventHandler<RemoteEditHandlerFailedEventArgs>? HandlerFailed;

    /// <summary>Occurs when the ledger fails to claim an edit or to record its outcome; the edit is answered regardless (see <see cref="RemoteEditLedgerFailedEventArgs"/>).</summary>
    /// <remarks>Raised on the thread the ledger failed on. An exception thrown by a subscriber is ignored.</remarks>
    public event EventHandler<RemoteEditLedgerFailedEventArgs>? LedgerFailed;

    /// <summary>Gets the options the server runs with.</summary>
    public RemoteEditServerOptions Options { get; }

    /// <summary>Registers the handler of <typeparamref name="TCommand"/>, deduplicating through an <see cref="InMemoryEditLedger{TCommand}"/> with the default options.</summary>
    /// <typeparam name="TCommand">The command type.</typeparam>
    /// <param name="handler">Applies one edit: given the command, the context (edit id, connection) and a token that fires when the server is disposed.</param>
    /// <returns>This server, to chain registrations.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><typeparamref name="TCommand"/> has a handler already.</exception>
    public RemoteEditServer Handle<TCommand>(Func<TCommand, RemoteEditContext, CancellationToken, Task> handler) =>
        Handle(handler, new InMemoryEditLedger<TCommand>());

    /// <summary>Registers the handler of <typeparamref name="TCommand"/> and the ledger that deduplicates its edits.</summary>
    /// <typeparam name="TCommand">The command type.</typeparam>
    /// <param name="handler">Applies one edit: given the command, the context (edit id, connection) and a token that fires when the server is disposed.</param>
    /// <param name="ledger">Deduplicates by edit id; an <see cref="InMemoryEditLedger{TCommand}"/> or a durable store.</param>
    /// <returns>This server, to chain registrations.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><typeparamref name="TCommand"/> has a handler already.</exception>
    public RemoteEditServer Handle<TCommand>(Func<TCommand, RemoteEditContext, CancellationToken, Task> handler, IEditLedger<TCommand> ledger)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(ledger);
        if (!_routes.TryAdd(typeof(TCommand), new Route<TCommand>(this, handler, ledger)))
        {
            throw new InvalidOperationException($"The command type {typeof(TCommand).Name} has a handler already.");
        }

        return this;
    }

    /// <summary>Gets the ledger of <typeparamref name="TCommand"/>'s edits.</summary>
    /// <typeparam name="TCommand">The command type.</typeparam>
    /// <returns>The ledger registered with its handler.</returns>
    /// <exception cref="InvalidOperationException"><typeparamref name="TCommand"/> has no handler.</exception>
    public IEditLedger<TCommand> GetLedger<TCommand>() => RouteOf<TCommand>().Ledger;

    /// <summary>Runs an incoming edit (or joins or answers it from the ledger) and returns the answer for the issuing connection.</summary>
    /// <typeparam name="TCommand">The command type; it needs a handler.</typeparam>
    /// <param name="request">The incoming envelope.</param>
    /// <param name="connection">The connection it arrived on.</param>
    /// <param name="cancellationToken">Stops waiting for the outcome; the run itself continues.</param>
    /// <returns>The reply to send to <paramref name="connection"/>, after the run completed; <see langword="null"/> if the run was abandoned (nothing should be answered).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The request's attempt is less than 1.</exception>
    /// <exception cref="InvalidOperationException"><typeparamref name="TCommand"/> has no handler.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public Task<EditReply?> ExecuteAsync<TCommand>(EditRequest<TCommand> request, RemoteEditConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.Attempt, 1, nameof(request));
        return RouteOf<TCommand>().ExecuteAsync(request, connection, cancellationToken);
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

    // Routes a decoded edit by its command's type; an edit without a handler is rejected as unknown.
    internal Task<EditReply?> ExecuteAsync(EditRequest<object> request, RemoteEditConnection connection, CancellationToken cancellationToken) =>
        _routes.TryGetValue(request.Command.GetType(), out var route)
            ? route.ExecuteUntypedAsync(request, connection, cancellationToken)
            : Task.FromResult<EditReply?>(UnknownCommand(request.Id, request.Attempt, request.Command.GetType().Name));

    // The kind comes from the client: quoted in at most 64 characters, or a 64 KiB kind (6 bytes per '<' in JSON) would
    // come back as a reject of 390 KB.
    internal static EditReply UnknownCommand(EditId id, int attempt, string kind) =>
        new(id, attempt, EditOutcome.Rejected(new RemoteError(RemoteErrorCodes.UnknownCommand, $"The server does not know commands of kind '{Excerpt(kind)}'.")));

    private static string Excerpt(string value)
    {
        const int MaxLength = 64;
        if (value.Length <= MaxLength)
        {
            return value;
        }

        var length = char.IsHighSurrogate(value[MaxLength - 1]) ? MaxLength - 1 : MaxLength;
        return string.Concat(value.AsSpan(0, length), "…");
    }

    private Route<TCommand> RouteOf<TCommand>() =>
        _routes.TryGetValue(typeof(TCommand), out var route)
            ? (Route<TCommand>)route
            : throw new InvalidOperationException($"The command type {typeof(TCommand).Name} has no handler: register one with Handle.");

    private void OnHandlerFailed(RemoteEditContext context, object command, Type commandType, Exception exception)
    {
        RemoteMetrics.HandlerFailed(commandType);
        if (HandlerFailed is not { } handlers)
        {
            return;
        }

        try
        {
            handlers(this, new RemoteEditHandlerFailedEventArgs(context, command, exception));
        }
#pragma warning disable CA1031 // A failing subscriber (a logger) must not leave the edit's outcome unrecorded.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private void OnLedgerFailed(RemoteEditContext context, EditOutcome? outcome, Exception exception)
    {
        if (LedgerFailed is not { } handlers)
        {
            return;
        }

        try
        {
            handlers(this, new RemoteEditLedgerFailedEventArgs(context, outcome, exception));
        }
#pragma warning disable CA1031 // A failing subscriber (a logger) must not leave the edit unanswered.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private abstract class Route
    {
        public abstract Task<EditReply?> ExecuteUntypedAsync(EditRequest<object> request, RemoteEditConnection connection, CancellationToken cancellationToken);
    }

    // One command type's handler and ledger.
    private sealed class Route<TCommand>(RemoteEditServer server, Func<TCommand, RemoteEditContext, CancellationToken, Task> handler, IEditLedger<TCommand> ledger) : Route
    {
        public IEditLedger<TCommand> Ledger { get; } = ledger;

        public override Task<EditReply?> ExecuteUntypedAsync(EditRequest<object> request, RemoteEditConnection connection, CancellationToken cancellationToken) =>
            ExecuteAsync(new EditRequest<TCommand>(request.Id, request.Attempt, (TCommand)request.Command), connection, cancellationToken);

        public async Task<EditReply?> ExecuteAsync(EditRequest<TCommand> request, RemoteEditConnection connection, CancellationToken cancellationToken)
        {
            EditClaim claim;
            try
            {
                claim = await Ledger.ClaimAsync(request.Id, request.Attempt, request.Command, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // Any failure of the ledger (a full disk) is answered: unanswered, the client would resend forever.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                server.OnLedgerFailed(new RemoteEditContext(request.Id, request.Attempt, connection), null, ex);
                return new EditReply(request.Id, request.Attempt, EditOutcome.Rejected(new RemoteError(RemoteErrorCodes.Unavailable, UnavailableMessage)));
            }

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

        private async Task<EditOutcome?> RunAsync(EditRequest<TCommand> request, RemoteEditConnection connection)
        {
            EditOutcome outcome;
            CancellationToken lifetime;
            try
            {
                lifetime = server._lifetime.Token;
            }
            catch (ObjectDisposedException)
            {
                await Ledger.AbandonAsync(request.Id, request.Attempt, CancellationToken.None).ConfigureAwait(false);
                return null;
            }

            var context = new RemoteEditContext(request.Id, request.Attempt, connection);
            try
            {
                var task = handler(request.Command, context, lifetime)
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
                server.OnHandlerFailed(context, request.Command!, typeof(TCommand), ex);
                outcome = EditOutcome.Rejected(new RemoteError(RemoteErrorCodes.Failed, FailedMessage));
            }

            try
            {
                await Ledger.CompleteAsync(request.Id, request.Attempt, outcome, CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The outcome is known, only not remembered: it is still the answer (a resend may run the edit again).
            catch (Exception ex)
#pragma warning restore CA1031
            {
                server.OnLedgerFailed(context, outcome, ex);
            }

            return outcome;
        }
    }
}
