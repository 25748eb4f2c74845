using System.Net.WebSockets;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Text.Json;
using ChatServer.Shared.Protocol;
using Reactive.Edits;
using Reactive.Edits.ChangeSets;
using Reactive.Edits.Optimistic;
using Reactive.Edits.Remote;

namespace ChatServer.Shared;

/// <summary>A chat client on Reactive.Edits: connects (with the login cookie), sends messages as edits, observes
/// messages and presence as change sets, and stays connected through the library's <see cref="RemoteEditClientConnection"/>
/// (backoff with jitter, status, resend of unsettled sends). Shared by the browser app, the integration tests and the
/// load generator.</summary>
/// <remarks>
/// <para>Sending is <see cref="Send"/>: a request on the <see cref="Edits"/> set, which the library's
/// <see cref="RemoteEditClient{TCommand}"/> sends as <c>{"type":"edit","id","attempt","command"}</c> and settles from
/// the server's <c>ack</c>/<c>reject</c>. A send whose connection drops stays pending and is resent with the same id
/// after the reconnect (the server deduplicates); only a definite rejection makes it failed.</para>
/// <para><see cref="View"/> is the library's optimistic merge of <see cref="Messages"/> (what the server says) with
/// the edits: a send shows at once as pending, the server's copy replaces it in place (same key, the edit id), a
/// rejected send stays as failed until <see cref="Retry"/> or <see cref="Discard"/>.</para>
/// <para>Thread safety: every member may be called from any thread; the observables follow the Rx grammar.</para>
/// </remarks>
public sealed class ChatClient : IAsyncDisposable
{
    private readonly Uri _socketUri;
    private readonly ChatClientOptions _options;
    private readonly KeyedSource<ChatMessage, EditId> _messages = new(static message => new EditId(message.Id));
    private readonly KeyedSource<PresenceEntry, string> _presence = new(static entry => entry.User, StringComparer.Ordinal);
    private readonly BehaviorSubject<Welcome?> _welcome = new(null);
    private readonly Subject<ProtocolError> _errors = new();
    private readonly RemoteEditClientConnection _connection;
    private readonly IDisposable _connected;
    private int _disposed;
    private bool _presenceReplayPending;

    // The pages of the current connection's history until its last page arrives (see History.More).
    private readonly List<ChatMessage> _historyPages = [];

    /// <summary>Initializes a client for the server at <paramref name="serverUri"/> (http or https; the socket path is added).</summary>
    /// <param name="serverUri">The server's base address, e.g. <c>http://localhost:5080/</c>.</param>
    /// <param name="options">The settings; <see langword="null"/> for the defaults.</param>
    public ChatClient(Uri serverUri, ChatClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(serverUri);
        _options = options ?? new ChatClientOptions();
        var socket = new UriBuilder(new Uri(serverUri, ChatProtocol.SocketPath))
        {
            Scheme = serverUri.Scheme == Uri.UriSchemeHttps ? "wss" : "ws",
        };
        _socketUri = socket.Uri;
        Edits = new EditSet<ChatCommand>(new EditSetOptions { Name = "chat.edits", Policy = EditPolicy.Concurrent });
        // Sends the last run left unsettled come back first: pending ones are resent with their ids (the server's ledger
        // gives them one effect), failed ones show again with Retry and Discard.
        Journal = new UnsettledEditJournal<ChatCommand>(Edits, Protocol, _options.UnsentMessages);
        try
        {
            Journal.Restore();
        }
        catch (Exception ex) when (ex is not ObjectDisposedException)
        {
            // An unreadable store must not keep the chat from starting; what it holds is left as it is.
            RestoreError = ex;
        }
        Remote = new RemoteEditClient<ChatCommand>(Edits, _options.Remote);
        View = _messages.Connect().MergeOptimistic(Edits, new OptimisticOptions<ChatMessage, EditId, ChatCommand>
        {
            // A send creates the message keyed by its edit id (the server stores it under the same id); an edit or a
            // deletion targets the message's key.
            KeyOf = static edit => edit.Value switch
            {
                EditMessage change => new EditId(change.MessageId),
                DeleteMessage deletion => new EditId(deletion.MessageId),
                _ => edit.Id,
            },
            Predict = Predict,
            // The server lists in each message the edits it took into account: such an edit is not predicted again on
            // top of it (a conflicting edit that lost shows the server's text, and PredictionMismatches reports it).
            Includes = static (message, edit) => edit.Value is SendMessage || message.Includes(edit.Id.Value),
        });
        // Told from each edit's own acceptance, not from the view: the view's merge may take the server's copy (which
        // already includes the edit) before it has shown the prediction, and then no prediction is ever replaced. The
        // server posts the changed message before the ack, so at the acceptance the copy here is the one that counts.
        EditOverridden = Edits.Events
            .Where(static e => e.Kind == EditEventKind.Accepted && e.Edit.Value is EditMessage)
            .Select(e => Overridden(e.Edit))
            .Where(static mismatch => mismatch.HasValue)
            .Select(static mismatch => mismatch!.Value);
        // The library keeps the connection: backoff with jitter, status, reconnect on demand, resend of unsettled sends.
        _connection = new RemoteEditClientConnection(ConnectAsync, Protocol, new RemoteEditClientConnectionOptions
        {
            InitialDelay = _options.InitialBackoff,
            MaxDelay = _options.MaxBackoff,
            TimeProvider = _options.Time,
            OnMessage = OnMessageAsync,
        }).Add(Remote);
        // Told before the connection's first message is handled: a new connection starts its history and presence afresh.
        _connected = _connection.Status.Subscribe(status =>
        {
            if (status.State == RemoteConnectionState.Connected)
            {
                _presenceReplayPending = true;
                _historyPages.Clear();
            }
        });
    }

    /// <summary>Gets the edits (sends, edits and deletions of messages): busy state (<see cref="EditSet{T}.IsBusy"/>), counts, retry and discard.</summary>
    public EditSet<ChatCommand> Edits { get; }

    /// <summary>Gets the journal that keeps unsent messages in <see cref="ChatClientOptions.UnsentMessages"/> (its
    /// <see cref="UnsettledEditJournal{TCommand}.StoreErrors"/> report a failing store).</summary>
    public UnsettledEditJournal<ChatCommand> Journal { get; }

    /// <summary>Gets why the unsent messages of the last run could not be restored, or <see langword="null"/> if they were.</summary>
    public Exception? RestoreError { get; }

    /// <summary>Gets the library's remote edit client (deliveries, for diagnostics).</summary>
    public RemoteEditClient<ChatCommand> Remote { get; }

    /// <summary>Gets the wire protocol.</summary>
    public EditWireProtocol Protocol => ChatWire.Protocol;

    /// <summary>Gets the edits of this client whose text the server did not keep: another tab edited the same message
    /// first, so the view shows the server's text instead of the text typed (which the mismatch's prediction holds, so
    /// it is not lost). Reported at the edit's acceptance; hot: a subscriber is told of the acceptances after it.</summary>
    public IObservable<PredictionMismatch<ChatMessage, EditId>> EditOverridden { get; }

    /// <summary>Gets the authoritative messages, keyed by id, as change sets: history on connect, then live messages.</summary>
    public IObservable<IChangeSet<ChatMessage, EditId>> Messages => _messages.Connect();

    /// <summary>Gets the optimistic view: the messages merged with the pending and failed sends.</summary>
    public IObservable<IChangeSet<OptimisticItem<ChatMessage, EditId>, EditId>> View { get; }

    /// <summary>Gets who is present, keyed by user (the empty key counts anonymous readers), as change sets.</summary>
    public IObservable<IChangeSet<PresenceEntry, string>> Presence => _presence.Connect();

    /// <summary>Gets the connection state, starting with the current one (the library's <see cref="RemoteEditClientConnection.Status"/>).</summary>
    public IObservable<RemoteConnectionStatus> Status => _connection.Status;

    /// <summary>Gets the server's latest welcome (who this connection is, limits, demo options), starting with the current one.</summary>
    public IObservable<Welcome?> Welcomes => _welcome;

    /// <summary>Gets the latest welcome, or <see langword="null"/> before the first connection.</summary>
    public Welcome? Welcome => _welcome.Value;

    /// <summary>Gets the protocol errors the server reported (not send rejections: those fail their edit).</summary>
    public IObservable<ProtocolError> Errors => _errors;

    /// <summary>Starts connecting, and reconnecting with backoff, until disposed.</summary>
    public void Start() => _connection.Start();

    /// <summary>Ends the current connection and connects again at once, e.g. after logging in or out: the
    /// connection's identity is fixed when it opens. Pending sends are resent on the new connection.</summary>
    public void Reconnect() => _connection.ReconnectNow();

    /// <summary>Sends a message: requests an edit, shown at once as pending in <see cref="View"/>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The edit.</returns>
    public Edit<ChatCommand> Send(string text) => Edits.Request(new SendMessage(text));

    /// <summary>Edits one's own message: the new text shows at once, pending, in <see cref="View"/>.</summary>
    /// <param name="message">The message as shown (its <see cref="ChatMessage.Revision"/> is the edit's base).</param>
    /// <param name="text">The new text.</param>
    /// <returns>The edit.</returns>
    public Edit<ChatCommand> Edit(ChatMessage message, string text)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Edits.Request(new EditMessage(message.Id, text, message.Revision));
    }

    /// <summary>Deletes one's own message: it leaves <see cref="View"/> at once, and comes back with the error if the
    /// server refuses.</summary>
    /// <param name="messageId">The message's id.</param>
    /// <returns>The edit.</returns>
    public Edit<ChatCommand> Delete(Guid messageId) => Edits.Request(new DeleteMessage(messageId));

    /// <summary>Retries a failed edit (a send, an edit or a deletion): same edit id, new attempt.</summary>
    /// <param name="id">The edit id.</param>
    /// <returns><see langword="true"/> if the edit was failed and is pending again.</returns>
    public bool Retry(EditId id) => Edits.Retry(id);

    /// <summary>Discards a failed edit: its prediction leaves the view (a failed send leaves it; a failed edit or deletion
    /// gives way to the message as the server has it).</summary>
    /// <param name="id">The edit id.</param>
    /// <returns><see langword="true"/> if it was discarded.</returns>
    public bool Discard(EditId id) => Edits.Discard(id);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _connection.DisposeAsync();
        _connected.Dispose();
        Remote.Dispose();
        // Before the edits: disposing them cancels what is pending, which a journal still attached would forget.
        Journal.Dispose();
        Edits.Dispose();
        _messages.Dispose();
        _presence.Dispose();
    }

    // Opens one socket with the login cookie (in .NET; the browser sends it itself) and wraps it for the library.
    private async ValueTask<IMessageChannel> ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            _options.ConfigureSocket?.Invoke(socket.Options);
            await socket.ConnectAsync(_socketUri, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new WebSocketMessageChannel(socket, new WebSocketMessageChannelOptions
        {
            MaxMessageSize = ChatProtocol.MaxFrameSize,
            TimeProvider = _options.Time,
        });
    }

    private ValueTask OnMessageAsync(WireMessage message, CancellationToken cancellationToken)
    {
        if (message.Kind != WireMessageKind.Message)
        {
            _errors.OnNext(new ProtocolError(ChatProtocol.Malformed, message.Error ?? "Malformed message from the server."));
            return ValueTask.CompletedTask;
        }
        switch (message.Type)
        {
            case ChatProtocol.WelcomeType when Read(message.Payload, ChatJsonContext.Default.Welcome) is { } welcome:
                if (welcome.ProtocolVersion != ChatProtocol.Version)
                {
                    // The frames may still parse, but their meaning may differ (docs/protocol.md, versioning): say so.
                    _errors.OnNext(new ProtocolError(
                        ChatProtocol.VersionMismatch,
                        $"The server speaks chat protocol version {welcome.ProtocolVersion} and this page version {ChatProtocol.Version}: reload the page."));
                }
                _welcome.OnNext(welcome);
                break;
            case ChatProtocol.HistoryType when Read(message.Payload, ChatJsonContext.Default.History) is { } history:
                // A long history comes in pages; it replaces what was there only once it is whole.
                _historyPages.AddRange(history.Messages);
                if (!history.More)
                {
                    ApplyHistory(_historyPages);
                    _historyPages.Clear();
                }
                break;
            case ChatProtocol.MessageType when Read(message.Payload, ChatJsonContext.Default.ChatMessage) is { } chat:
                _messages.AddOrUpdate(chat);
                break;
            case ChatProtocol.MessagesType when Read(message.Payload, ChatJsonContext.Default.MessageBatch) is { } batch:
                // One change set for the batch: a view redraws once for messages that were stored together.
                _messages.Edit(updater =>
                {
                    foreach (var chat in batch.Messages)
                    {
                        updater.AddOrUpdate(chat);
                    }
                });
                break;
            case ChatProtocol.DeletedType when Read(message.Payload, ChatJsonContext.Default.MessageDeleted) is { } deleted:
                _messages.Remove(new EditId(deleted.Id));
                break;
            case ChatProtocol.PresenceType when Read(message.Payload, ChatJsonContext.Default.PresenceUpdate) is { } presence:
                ApplyPresence(presence);
                break;
            case ChatProtocol.ErrorType when Read(message.Payload, ChatJsonContext.Default.ProtocolError) is { } protocolError:
                _errors.OnNext(protocolError);
                break;
            default:
                // Unknown types are ignored: a newer server may send more (see docs/protocol.md, versioning).
                break;
        }
        return ValueTask.CompletedTask;
    }

    // An accepted edit whose message, as the server keeps it, took it into account with another text: another tab's
    // edit of the same revision came first.
    private PredictionMismatch<ChatMessage, EditId>? Overridden(Edit<ChatCommand> edit)
    {
        var change = (EditMessage)edit.Value;
        var key = new EditId(change.MessageId);
        return _messages.TryGetValue(key, out var message)
            && message.Includes(edit.Id.Value)
            && !string.Equals(message.Text, change.Text, StringComparison.Ordinal)
                ? new PredictionMismatch<ChatMessage, EditId>(key, message with { Text = change.Text }, message, edit.Id)
                : null;
    }

    // After a reconnect the history replaces what was there: messages missed while away appear, nothing is doubled.
    private void ApplyHistory(List<ChatMessage> history)
    {
        var existing = _messages.Items;
        _messages.Edit(updater =>
        {
            var keep = new HashSet<EditId>();
            foreach (var message in history)
            {
                keep.Add(new EditId(message.Id));
            }
            foreach (var old in existing)
            {
                var key = new EditId(old.Id);
                if (!keep.Contains(key))
                {
                    updater.Remove(key);
                }
            }
            foreach (var message in history)
            {
                if (!updater.TryGetValue(new EditId(message.Id), out var current) || current != message)
                {
                    updater.AddOrUpdate(message);
                }
            }
        });
    }

    private void ApplyPresence(PresenceUpdate update)
    {
        // The first update of a connection is the server's full state: it replaces what an earlier connection left.
        var replay = _presenceReplayPending;
        _presenceReplayPending = false;
        _presence.Edit(updater =>
        {
            if (replay)
            {
                updater.Clear();
            }
            foreach (var change in update.Changes)
            {
                if (change.Reason == ChangeReason.Remove)
                {
                    updater.Remove(change.Entry.User);
                }
                else
                {
                    updater.AddOrUpdate(change.Entry);
                }
            }
        });
    }

    // The client's prediction of each command on the message as it stands (the authoritative one with earlier edits).
    private ChatMessage? Predict(Edit<ChatCommand> edit, ChatMessage? current) => edit.Value switch
    {
        SendMessage send => new ChatMessage(edit.Id.Value, _welcome.Value?.User ?? string.Empty, send.Text, edit.RequestedAt, 0),
        // With nothing beneath (deleted elsewhere meanwhile) the edit still shows, with its text, where its error goes.
        EditMessage change => current is null
            ? new ChatMessage(change.MessageId, _welcome.Value?.User ?? string.Empty, change.Text, edit.RequestedAt, 0, change.BaseRevision + 1, edit.RequestedAt)
            : current with { Text = change.Text, Revision = current.Revision + 1, EditedAt = edit.RequestedAt },
        DeleteMessage => null,
        _ => current,
    };

    private static T? Read<T>(JsonElement payload, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
        where T : class
    {
        try
        {
            return payload.ValueKind == JsonValueKind.Undefined ? null : payload.Deserialize(typeInfo);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
