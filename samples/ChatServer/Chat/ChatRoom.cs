using System.Net;
using System.Net.WebSockets;
using System.Security.Claims;
using ChatServer.Auth;
using ChatServer.Presence;
using ChatServer.Shared.Protocol;
using ChatServer.Storage;
using Microsoft.Extensions.Options;
using Reactive.Edits.ChangeSets;
using Reactive.Edits.Remote;

namespace ChatServer.Chat;

/// <summary>The one chat room: the shared messages, the open connections, and the server side of the send edits.</summary>
/// <remarks>
/// <para>Each connection runs on the library's server driver: a receive loop that runs incoming edits (deduplicated
/// by edit id in the ledger, so a resend has one effect) and a send loop that drains the connection's bounded, ordered
/// outbox.</para>
/// <para><b>Ordering</b>: the send handler stores the message, then posts it to every connection's outbox before the
/// next write of the store, and before it returns; the driver posts the ack after it returns. So every connection sees
/// messages in the same order, and the sender sees its message before its ack. A connection that joins while a change
/// (a group of sends, an edit, a deletion) is being stored does not wait for the disk: it gets that change as a live
/// frame after its history. The server runs one send of a connection at a time
/// (<see cref="RemoteEditServerOptions.MaxConcurrentEditsPerConnection"/> = 1), so a user's sends apply in the order
/// they arrived, whatever the demo latency.</para>
/// <para>With the messages in Redis (<c>Chat:Store:Kind=Redis</c>) the order is the shared log's: a handler writes to the
/// log, and this node's feed posts each event of the log to every connection, under the gate, in the log's order
/// (ChatRoom.SharedLog.cs). The handler returns once the feed has posted its event, so the sender still sees its message
/// before its ack.</para>
/// </remarks>
public sealed partial class ChatRoom : IDisposable
{
    private readonly object _gate = new();
    // One write of the store at a time, each posted before the next (so everyone sees the order they were stored in).
    // Taken before _gate, never inside it. A write's disk flush runs under this one only, so a join, which takes only
    // _gate, does not wait for it.
    private readonly object _writeGate = new();
    private readonly HashSet<RemoteEditConnection> _connections = [];
    private readonly IMessageStore? _store;
    // Sends that arrive while another is being stored wait for the next commit together: one disk flush for the group.
    private readonly GroupCommit<NewMessage, ChatMessage> _sendCommits;
    private readonly SendValidator _validator;
    private readonly PresenceTracker _presence;
    private readonly ChatOptions _options;
    private readonly ILogger<ChatRoom> _logger;
    private readonly RemoteEditServer _server;
    // One delegate for every connection: a method group passed per connection would make a new one each time.
    private readonly Func<RemoteEditConnection, WireMessage, CancellationToken, ValueTask> _onMessage;
    private readonly TimeProvider _time;
    private readonly WebSocketMessageChannelOptions _channelOptions;
    // What every connection has been told (a joiner's starting state), and what changed since, not yet told.
    private readonly Dictionary<string, PresenceEntry> _presenceEntries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PresenceEntry?> _presencePending = new(StringComparer.Ordinal);
    private readonly IDisposable _presenceFeed;
    private bool _presenceFlushQueued;
    // The presence state as joiners receive it: a snapshot encoded once, and the change frames told since it.
    private List<ChannelMessage>? _presenceSnapshot;
    private readonly List<ChannelMessage> _presenceSince = [];
    private long _presenceSnapshotBytes;
    private long _presenceSinceBytes;
    private int _presenceStatesEncoded;
    // The history as joiners receive it, encoded once and shared until the next message: a burst of joins (a server
    // restart, a reconnect wave) costs one encoding instead of one per connection.
    private List<ChannelMessage>? _historyFrames;
    private int _sends;
    private int _slowConsumersDisconnected;
    // Each open connection's budget of bad frames (BadFrameBudget), found from the connection in the handlers.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<RemoteEditConnection, BadFrameBudget> _badFrames = [];
    // Each open connection's client address, for the per-address send budget (SendValidator).
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<RemoteEditConnection, IPAddress> _addresses = [];
    // The host's stopping closes every open connection gracefully: one registration for the room, not one per connection.
    private readonly CancellationToken _hostStopping;
    private readonly CancellationTokenRegistration _closeAllOnStop;

    public ChatRoom(RoomStorage storage, IEditLedger<SendMessage> ledger, IEditLedger<EditMessage> editLedger, IEditLedger<DeleteMessage> deleteLedger, SendValidator validator, PresenceTracker presence, TimeProvider time, IHostApplicationLifetime lifetime, IOptions<ChatOptions> options, ILogger<ChatRoom> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(lifetime);
        _store = storage.Local;
        _shared = storage.Shared;
        _sendCommits = new GroupCommit<NewMessage, ChatMessage>(PublishGroup, MaxSendsPerCommit, options.Value.SendBatchWindow, time);
        _window = new Storage.Redis.RedisRecentWindow(options.Value.HistorySize);
        _validator = validator;
        _presence = presence;
        _options = options.Value;
        _logger = logger;
        _time = time;
        _onMessage = OnMessageAsync;
        // One send of a connection at a time, in arrival order (the library's default, stated here because the chat
        // relies on it): a user's messages keep the order they were typed in, even with the demo latency.
        _server = new RemoteEditServer(new RemoteEditServerOptions { MaxConcurrentEditsPerConnection = 1 })
            .Handle<SendMessage>(HandleSendAsync, ledger)
            .Handle<EditMessage>(HandleEditAsync, editLedger)
            .Handle<DeleteMessage>(HandleDeleteAsync, deleteLedger);
        // A crashing handler is answered edit.failed without details; the details are logged here, as an error.
        _server.HandlerFailed += (_, failure) =>
            ChatLog.HandlerFailed(_logger, failure.Exception, failure.Context.Id.Value, failure.Context.Attempt, failure.Context.Connection.Id);
        // A ledger that cannot claim or record (its disk failing) is answered by the server regardless; logged here.
        _server.LedgerFailed += (_, failure) =>
            ChatLog.LedgerFailed(_logger, failure.Exception, failure.Context.Id.Value, failure.Context.Attempt, failure.Context.Connection.Id,
                failure.Outcome is { } outcome ? outcome.Error?.Code ?? "accepted" : "none: the claim failed");
        // The library's channel: UTF-8 text only (a binary frame closes with 1003), the frame limit (1009), and a
        // bounded outbox whose overflow closes a slow reader with 1008; every timeout on the host's one clock. One
        // instance for every connection: the options are the room's, not the connection's.
        _channelOptions = new WebSocketMessageChannelOptions
        {
            MaxMessageSize = _options.MaxFrameSize,
            TextOnly = true,
            OutboxCapacity = _options.OutboxCapacity,
            OutboxByteCapacity = _options.OutboxByteCapacity,
            OutboxFullMode = OutboxFullMode.Close,
            CloseTimeout = _options.CloseTimeout,
            TimeProvider = _time,
        };
        _presenceFeed = _presence.Connect().Subscribe(BroadcastPresence);
        _hostStopping = lifetime.ApplicationStopping;
        _closeAllOnStop = _hostStopping.Register(static room => ((ChatRoom)room!).CloseAllGracefully(), this);
        if (Demo is { LatencyMilliseconds: > 0 } or { FailEveryNth: > 0 })
        {
            ChatLog.DemoOn(logger, _options.Demo.Latency, _options.Demo.FailEveryNth);
        }
    }

    /// <summary>Gets the wire protocol: the library's edit envelopes plus the chat's own message types.</summary>
    public EditWireProtocol Protocol { get; } = ChatWire.Protocol;

    /// <summary>Gets the demonstration options in force, as told to clients.</summary>
    public DemoSettings Demo => new((int)_options.Demo.Latency.TotalMilliseconds, Math.Max(0, _options.Demo.FailEveryNth));

    /// <summary>Gets how many connections were cut off because their outbox overflowed (clients that read too slowly).</summary>
    public int SlowConsumersDisconnected => Volatile.Read(ref _slowConsumersDisconnected);

    /// <summary>Raised when a send starts waiting for the commit under way, with how many sends wait now.</summary>
    internal event Action<int>? SendQueued
    {
        add => _sendCommits.Queued += value;
        remove => _sendCommits.Queued -= value;
    }

    /// <summary>Gets how many times the whole presence state was encoded for joiners.</summary>
    internal int PresenceStatesEncoded
    {
        get
        {
            lock (_gate)
            {
                return _presenceStatesEncoded;
            }
        }
    }

    /// <summary>Gets a snapshot of the recent messages.</summary>
    /// <returns>The messages, oldest first.</returns>
    public IReadOnlyList<ChatMessage> Recent()
    {
        lock (_gate)
        {
            return RecentUnderGate();
        }
    }

    // Under the gate: what this node has of the recent messages.
    private IReadOnlyList<ChatMessage> RecentUnderGate() => _store?.Recent() ?? _window.Recent();

    /// <summary>The reason sent with the close status 1000 when the server stops.</summary>
    public const string ShutdownCloseReason = "The server is shutting down.";

    /// <summary>Runs one accepted WebSocket until it closes.</summary>
    /// <param name="socket">The accepted socket; owned from now on.</param>
    /// <param name="principal">The identity the upgrade request was authenticated with (the cookie); <see langword="null"/> or unauthenticated for an anonymous reader.</param>
    /// <param name="address">The client's address, which its sends are counted by besides its user; <see langword="null"/> when it has none.</param>
    /// <param name="aborted">Fires when the connection must end at once (the host aborted it).</param>
    /// <param name="held">What the caller holds for the connection (the user's connection lease, the session's
    /// registration of the socket); disposed when the connection has ended.</param>
    /// <returns>A task that completes when the connection has ended.</returns>
    /// <remarks>When the host starts to stop, the connection is closed gracefully, with 1000 and
    /// <see cref="ShutdownCloseReason"/>, after the answers of its running sends and everything already queued for it.</remarks>
    public async Task RunAsync(WebSocket socket, ClaimsPrincipal? principal, IPAddress? address, CancellationToken aborted, IDisposable? held = null)
    {
        using var release = held;
        var user = AuthEndpoints.UserName(principal);
        var connection = new RemoteEditConnection(Guid.NewGuid().ToString("N")[..12], user is null ? null : principal, _options.OutboxCapacity);
        if (address is not null)
        {
            _addresses.Add(connection, address);
        }
        ChatLog.ConnectionOpened(_logger, connection.Id, user ?? "(anonymous)");
        Join(connection, user);
        using var membership = _presence.Join(user);
        // Looked at after Join: a connection that joined after CloseAllGracefully took its snapshot is closed here. (The
        // token is cancelled before its callbacks run, so no connection falls between the two.)
        if (_hostStopping.IsCancellationRequested)
        {
            connection.CloseGracefully(ShutdownCloseReason);
        }
        try
        {
            // A connection that sends more bad frames than its budget is closed with 1008 (SpendBadFrame).
            _badFrames.Add(connection, new BadFrameBudget(_options.MaxBadFrames, socket));
            await _server.RunAsync(connection, new WebSocketMessageChannel(socket, _channelOptions), Protocol, _onMessage, aborted);
        }
        finally
        {
            lock (_gate)
            {
                LeaveUnderGate(connection);
            }
            ChatLog.ConnectionClosed(_logger, connection.Id, user ?? "(anonymous)", connection.Overflowed);
        }
    }

    public void Dispose()
    {
        _closeAllOnStop.Dispose();
        _presenceFeed.Dispose();
        _sendCommits.Dispose();
        _feed?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server.Dispose();
    }

    // The host is stopping: every open connection ends gracefully, each after what is already queued for it.
    private void CloseAllGracefully()
    {
        RemoteEditConnection[] open;
        lock (_gate)
        {
            open = [.. _connections];
        }
        foreach (var connection in open)
        {
            connection.CloseGracefully(ShutdownCloseReason);
        }
    }

    // Under the gate: the connection leaves the broadcast, and if its outbox overflowed it is counted, once: whoever
    // removes it from the set counts it. That is the broadcast that found its outbox full (PostToAll), or else the end of
    // the connection, when Overflowed is final (the transport's overflow may close the connection a moment before the
    // driver marks it overflowed).
    private void LeaveUnderGate(RemoteEditConnection connection)
    {
        if (_connections.Remove(connection) && connection.Overflowed)
        {
            Interlocked.Increment(ref _slowConsumersDisconnected);
        }
    }

    // Welcome and history go first, and the connection joins the broadcast in the same step: no message is missed or doubled.
    private void Join(RemoteEditConnection connection, string? user)
    {
        var welcome = Protocol.EncodeMessage(ChatProtocol.WelcomeType, new Welcome(ChatProtocol.Version, user, _validator.Limits, Demo), ChatJsonContext.Default.Welcome);
        lock (_gate)
        {
            connection.TryPost(welcome);
            _historyFrames ??= FramePages.Encode(RecentUnderGate(), ChatProtocol.MaxFrameSize, EncodeHistory);
            foreach (var page in _historyFrames)
            {
                connection.TryPost(page);
            }
            // Presence: what every connection has been told, as the encoded state plus the changes told since.
            foreach (var page in PresenceForJoiner())
            {
                connection.TryPost(page);
            }
            _connections.Add(connection);
        }
    }

    // What a joiner must be told of presence: a snapshot of the state (as adds), encoded once, then the change frames
    // every connection was told since, in order. The joiner applies them as the others did, and ends in the same
    // state. The snapshot is encoded again only once the changes since it outweigh it (in bytes), so a join costs
    // posting frames, not encoding thousands of names under the lock; the encoding is amortized over the changes.
    private List<ChannelMessage> PresenceForJoiner()
    {
        if (_presenceSnapshot is null)
        {
            _presenceStatesEncoded++;
            var adds = new List<PresenceChange>(_presenceEntries.Count);
            foreach (var entry in _presenceEntries.Values)
            {
                adds.Add(new PresenceChange(ChangeReason.Add, entry));
            }
            _presenceSnapshot = adds.Count == 0 ? [] : FramePages.Encode(adds, ChatProtocol.MaxFrameSize, EncodePresence);
            _presenceSnapshotBytes = _presenceSnapshot.Sum(static page => (long)page.Data.Length);
            _presenceSince.Clear();
            _presenceSinceBytes = 0;
        }
        return _presenceSince.Count == 0 ? _presenceSnapshot : [.. _presenceSnapshot, .. _presenceSince];
    }

    // Runs one send edit. Throwing RemoteEditRejectedException rejects it with a code and message for the issuer only.
    private async Task HandleSendAsync(SendMessage command, RemoteEditContext context, CancellationToken cancellationToken)
    {
        var user = await CheckAsync(command.Text, context, cancellationToken);
        var failEvery = _options.Demo.FailEveryNth;
        if (failEvery > 0 && Interlocked.Increment(ref _sends) % failEvery == 0)
        {
            ChatLog.SendRejected(_logger, context.Id.Value, user, ChatProtocol.DemoFailure);
            throw new RemoteEditRejectedException(ChatProtocol.DemoFailure, $"Simulated failure (the demo rejects one send in {failEvery}). Retry it.");
        }
        if (_shared is not null)
        {
            await PublishSharedAsync(context.Id.Value, user, command.Text, cancellationToken);
            return;
        }
        try
        {
            await _sendCommits.CommitAsync(new NewMessage(context.Id.Value, user, command.Text));
        }
        catch (StorageUnavailableException)
        {
            // Nothing was stored where it survives (the store logged why, once): a retryable reject, never an ack.
            ChatLog.SendRejected(_logger, context.Id.Value, user, ChatProtocol.StorageUnavailable);
            throw new RemoteEditRejectedException(ChatProtocol.StorageUnavailable, StorageUnavailableMessage);
        }
    }

    private const string StorageUnavailableMessage = "The server cannot store messages right now; this one was not stored. Retry later.";

    // Runs one edit of a message. Like a send: checked, then stored, then posted to every connection before the ack.
    // Only the author may edit, and the first edit from a revision wins (see EditMessage.BaseRevision).
    private async Task HandleEditAsync(EditMessage command, RemoteEditContext context, CancellationToken cancellationToken)
    {
        var user = await CheckAsync(command.Text, context, cancellationToken);
        if (_shared is not null)
        {
            await ChangeSharedAsync(context, user, command, cancellationToken);
            return;
        }
        Change(context, user, command.MessageId, isDeletion: false, current =>
        {
            var apply = current.Revision == command.BaseRevision;
            var edited = _store!.Edit(context.Id.Value, command, current, apply);
            ChatLog.MessageEdited(_logger, edited.Sequence, user, edited.Revision, apply);
            return (new StoredMessage(edited, IsDeleted: false), Protocol.EncodeMessage(ChatProtocol.MessageType, edited, ChatJsonContext.Default.ChatMessage));
        });
    }

    // Runs one deletion of a message: the author's only; deleting a message that is deleted already changes nothing.
    private async Task HandleDeleteAsync(DeleteMessage command, RemoteEditContext context, CancellationToken cancellationToken)
    {
        var user = await CheckAsync(newText: null, context, cancellationToken);
        if (_shared is not null)
        {
            await ChangeSharedAsync(context, user, command, cancellationToken);
            return;
        }
        Change(context, user, command.MessageId, isDeletion: true, current =>
        {
            var deleted = _store!.Delete(context.Id.Value, command, current);
            ChatLog.MessageDeletedBy(_logger, current.Sequence, user);
            return (deleted, Protocol.EncodeMessage(ChatProtocol.DeletedType, new MessageDeleted(current.Id, context.Id.Value), ChatJsonContext.Default.MessageDeleted));
        });
    }

    // The checks every edit runs first (logged in, rate, the text of a send or an edit), then the demo latency. The
    // author comes from the connection's identity, never from the payload.
    private async Task<string> CheckAsync(string? newText, RemoteEditContext context, CancellationToken cancellationToken)
    {
        var user = AuthEndpoints.UserName(context.Connection.User);
        var address = _addresses.TryGetValue(context.Connection, out var known) ? known : null;
        if (_validator.Validate(user, address, newText) is { } error)
        {
            if (user is null)
            {
                // A conforming client does not send while anonymous (its input is disabled): a bad frame.
                SpendBadFrame(context.Connection, out _);
            }
            ChatLog.SendRejected(_logger, context.Id.Value, user ?? "(anonymous)", error.Code);
            throw error.ToException();
        }
        if (_options.Demo.Latency > TimeSpan.Zero)
        {
            // A plain delay: the server runs a connection's edits one at a time, so they still apply in arrival order.
            await Task.Delay(_options.Demo.Latency, _time, cancellationToken);
        }
        return user!;
    }

    // Looks the message up and stores the change under the write gate, so that it is checked against the message as it
    // is stored when it applies (not as it was when the edit arrived), then posts it before the next write. As with a
    // group of sends, the write (its disk flush) holds only the write gate, and the change reaches the history and the
    // open connections in one step under the room's gate.
    private void Change(RemoteEditContext context, string user, Guid messageId, bool isDeletion, Func<ChatMessage, (StoredMessage Changed, ChannelMessage Frame)> apply)
    {
        RemoteError? refusal;
        try
        {
            lock (_writeGate)
            {
                var stored = _store!.Find(messageId);
                refusal = MessageChangeRules.Refusal(stored, user, isDeletion);
                if (refusal is null && !stored!.IsDeleted)
                {
                    var (changed, frame) = apply(stored.Message);
                    lock (_gate)
                    {
                        _store.UpdateRecent(changed);
                        _historyFrames = null;
                        PostToAll(frame);
                    }
                }
            }
        }
        catch (StorageUnavailableException)
        {
            ChatLog.SendRejected(_logger, context.Id.Value, user, ChatProtocol.StorageUnavailable);
            throw new RemoteEditRejectedException(ChatProtocol.StorageUnavailable, StorageUnavailableMessage);
        }
        if (refusal is not null)
        {
            ChatLog.SendRejected(_logger, context.Id.Value, user, refusal.Code);
            throw refusal.ToException();
        }
    }

    // Under the gate: every connection gets the frame in the order the changes applied. One whose outbox overflowed leaves
    // the broadcast and is counted at once, not when its socket is finally gone.
    private void PostToAll(ChannelMessage frame)
    {
        List<RemoteEditConnection>? overflowed = null;
        foreach (var connection in _connections)
        {
            if (!connection.TryPost(frame) && connection.Overflowed)
            {
                (overflowed ??= []).Add(connection);
            }
        }
        if (overflowed is not null)
        {
            foreach (var connection in overflowed)
            {
                LeaveUnderGate(connection);
            }
        }
    }

    // The most sends stored in one transaction.
    private const int MaxSendsPerCommit = 128;

    // Stores a group of sends in one commit, then posts them to every connection, in order, before the next write. Each
    // send's ack follows once its handler returns, i.e. after this. A group of several goes out as one `messages` frame
    // (or a few, each at most a frame's size): the cost of a broadcast is one write per connection per frame, so the
    // sends that queued while the room was busy broadcasting cost one write together. No send waits for company: a group
    // is what arrived during the commit before it, so a quiet room sends each message alone, at once.
    // The commit (the disk's flush) holds only the write gate: connections join meanwhile. The group becomes history and
    // is posted under the room's gate in one step, so a joiner gets it in its history or as a live frame, once.
    private IReadOnlyList<ChatMessage> PublishGroup(IReadOnlyList<NewMessage> sends)
    {
        lock (_writeGate)
        {
            var messages = _store!.Append(sends);
            var pages = FramePages.Encode(messages, ChatProtocol.MaxFrameSize, EncodeBatch);
            lock (_gate)
            {
                _store.AddToRecent(messages);
                _historyFrames = null;
                foreach (var page in pages)
                {
                    PostToAll(page);
                }
            }
            foreach (var message in messages)
            {
                ChatLog.MessagePosted(_logger, message.Sequence, message.User);
            }
            return messages;
        }
    }

    private ValueTask OnMessageAsync(RemoteEditConnection connection, WireMessage message, CancellationToken cancellationToken)
    {
        var error = message.Kind switch
        {
            WireMessageKind.Malformed => message.Error ?? "Malformed message.",
            WireMessageKind.Ack or WireMessageKind.Reject => $"A client does not send '{message.Type}': only the server answers edits.",
            _ => $"Unknown message type '{InputExcerpt.Of(message.Type)}': a client sends only edits.",
        };
        // The receive loop waits for a close of the connection before it reads another frame.
        return RefuseMalformed(connection, error) is { } closing ? new ValueTask(closing) : ValueTask.CompletedTask;
    }

    // Answers a malformed frame within the connection's budget; returns the connection's close when it exceeded it.
    private Task? RefuseMalformed(RemoteEditConnection connection, string error)
    {
        if (!SpendBadFrame(connection, out var closing))
        {
            return closing;
        }
        // Bounded whatever the reason quotes: no error frame grows with its input.
        error = InputExcerpt.Of(error, InputExcerpt.ErrorLength);
        ChatLog.Malformed(_logger, connection.Id, error);
        connection.TryPost(Protocol.EncodeMessage(ChatProtocol.ErrorType, new ProtocolError(ChatProtocol.Malformed, error), ChatJsonContext.Default.ProtocolError));
        return null;
    }

    // Counts a bad frame; false once the connection's budget is exceeded (then it is not answered). The frame that
    // exceeds it closes the connection with 1008: `closing` is that close, started here; null for every other frame.
    private bool SpendBadFrame(RemoteEditConnection connection, out Task? closing)
    {
        closing = null;
        if (!_badFrames.TryGetValue(connection, out var budget) || budget.TrySpend(out var exceededNow))
        {
            return true;
        }
        if (exceededNow)
        {
            ChatLog.TooManyBadFrames(_logger, connection.Id, budget.Limit);
            closing = budget.CloseAsync(connection, _options.CloseTimeout, _time);
        }
        return false;
    }

    // Presence changes are coalesced: they collect per key until a flush, queued on the thread pool by the first of
    // them, tells every connection the net change in one frame, encoded once. In a burst of joins (each one changes the
    // anonymous readers' tab count) the changes that arrive while the flush waits for a thread fold into it, so N joins
    // cost far fewer than N frames to each of N connections, and more fold together the busier the server is. No timer
    // is involved, so a quiet server tells a change at once.
    private void BroadcastPresence(IChangeSet<PresenceEntry, string> changes)
    {
        lock (_gate)
        {
            foreach (var change in changes)
            {
                _presencePending[change.Key] = change.Reason == ChangeReason.Remove ? null : change.Current;
            }
            if (_presenceFlushQueued)
            {
                return;
            }
            _presenceFlushQueued = true;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static room => room.FlushPresence(), this, preferLocal: false);
    }

    private void FlushPresence()
    {
        lock (_gate)
        {
            _presenceFlushQueued = false;
            var told = new List<PresenceChange>(_presencePending.Count);
            foreach (var (key, entry) in _presencePending)
            {
                var known = _presenceEntries.TryGetValue(key, out var previous);
                if (entry is null)
                {
                    if (known)
                    {
                        _presenceEntries.Remove(key);
                        told.Add(new PresenceChange(ChangeReason.Remove, previous!));
                    }
                }
                else if (!known || previous != entry)
                {
                    _presenceEntries[key] = entry;
                    told.Add(new PresenceChange(known ? ChangeReason.Update : ChangeReason.Add, entry));
                }
            }
            _presencePending.Clear();
            if (told.Count == 0)
            {
                return;
            }
            // Each page is a set of net changes to distinct users, so a client may apply them one by one.
            foreach (var page in FramePages.Encode(told, ChatProtocol.MaxFrameSize, EncodePresence))
            {
                PostToAll(page);
                if (_presenceSnapshot is not null)
                {
                    _presenceSince.Add(page);
                    _presenceSinceBytes += page.Data.Length;
                }
            }
            if (_presenceSinceBytes > _presenceSnapshotBytes)
            {
                // The changes outweigh the state: the next joiner gets a fresh snapshot instead.
                _presenceSnapshot = null;
                _presenceSince.Clear();
                _presenceSinceBytes = 0;
            }
        }
    }

    private ChannelMessage EncodeHistory(IReadOnlyList<ChatMessage> messages, bool isLast) =>
        Protocol.EncodeMessage(ChatProtocol.HistoryType, new History(messages, More: !isLast), ChatJsonContext.Default.History);

    // A page of one message (a lone send's, too) is sent as a `message` frame: a `messages` frame holds at least two.
    private ChannelMessage EncodeBatch(IReadOnlyList<ChatMessage> messages, bool isLast) => messages.Count == 1
        ? Protocol.EncodeMessage(ChatProtocol.MessageType, messages[0], ChatJsonContext.Default.ChatMessage)
        : Protocol.EncodeMessage(ChatProtocol.MessagesType, new MessageBatch(messages), ChatJsonContext.Default.MessageBatch);

    private ChannelMessage EncodePresence(IReadOnlyList<PresenceChange> changes, bool isLast) =>
        Protocol.EncodeMessage(ChatProtocol.PresenceType, new PresenceUpdate(changes), ChatJsonContext.Default.PresenceUpdate);
}
