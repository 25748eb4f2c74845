using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Tasks.Sources;

namespace Reactive.Edits.Remote;

/// <summary>Adapts a <see cref="WebSocket"/> to an <see cref="IMessageChannel"/>: whole messages, a size limit, optionally text only, and a bounded outbox with a slow-consumer policy.</summary>
/// <remarks>
/// <para>Works with any <see cref="WebSocket"/>: the server socket Kestrel accepts, a
/// <see cref="ClientWebSocket"/> in .NET or in the browser (WebAssembly), or one made by
/// <see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>. Configured by
/// <see cref="WebSocketMessageChannelOptions"/>; its timers run on <see cref="WebSocketMessageChannelOptions.TimeProvider"/>.</para>
/// <list type="table">
/// <listheader><term>situation</term><description>behaviour</description></listheader>
/// <item><term>send</term><description><see cref="SendAsync"/> puts the message in the outbox and returns; the outbox is written to the socket in order, one write at a time. When nothing is being written, <see cref="SendAsync"/> starts the write itself and returns as soon as the socket has taken the message or the write has to wait; no task runs while the outbox is empty. The message's memory is held until it is written: do not modify it</description></item>
/// <item><term>outbox full (<see cref="WebSocketMessageChannelOptions.OutboxCapacity"/> messages or <see cref="WebSocketMessageChannelOptions.OutboxByteCapacity"/> bytes), <see cref="OutboxFullMode.Close"/></term><description>the queued messages are dropped; the send in flight may finish, then the close frame 1008 (<see cref="WebSocketCloseStatus.PolicyViolation"/>, reason <see cref="SlowConsumerCloseReason"/>) is sent and <see cref="CloseAsync"/> waits for the peer's close: all of it within <see cref="CloseTimeout"/> counted from the overflow, after which the socket is aborted (which ends a send still in flight) and <see cref="CloseAsync"/> returns. <see cref="SendAsync"/> throws <see cref="MessageChannelOverflowException"/>, and a pending <see cref="ReceiveAsync"/> returns <see langword="null"/> at once (its socket receive stays pending to see the peer's close)</description></item>
/// <item><term>outbox full, <see cref="OutboxFullMode.DropNewest"/></term><description>the message is dropped and counted in <see cref="DroppedMessages"/></description></item>
/// <item><term>fragmented message</term><description>fragments are assembled into one message</description></item>
/// <item><term>message longer than the limit</term><description>detected while the fragments arrive (never buffered past the limit): the socket is closed with 1009 (<see cref="WebSocketCloseStatus.MessageTooBig"/>) and <see cref="ReceiveAsync"/> throws <see cref="InvalidDataException"/></description></item>
/// <item><term>binary message with <see cref="WebSocketMessageChannelOptions.TextOnly"/></term><description>the socket is closed with 1003 (<see cref="WebSocketCloseStatus.InvalidMessageType"/>, reason <see cref="TextOnlyCloseReason"/>) and <see cref="ReceiveAsync"/> throws <see cref="InvalidDataException"/></description></item>
/// <item><term>peer sends a close frame</term><description>the close is answered and <see cref="ReceiveAsync"/> returns <see langword="null"/></description></item>
/// <item><term>this side closes (<see cref="CloseAsync"/>, or after a 1009, 1003 or a protocol error such as invalid UTF-8)</term><description>the outbox is written out, then the close handshake: the peer's remaining frames are read and dropped until its close frame arrives; all of it within <see cref="CloseTimeout"/>. Aborting at once could reset the connection and destroy the close frame, and its status, before the peer reads it</description></item>
/// <item><term>this side closes while the receive loop goes on reading (<see cref="CloseOutputAsync(string, CancellationToken)"/>, e.g. the server is stopping)</term><description>the outbox is written out, then the close frame 1000 with the reason; the receive loop's <see cref="ReceiveAsync"/> returns <see langword="null"/> at the peer's close. All within <see cref="CloseTimeout"/> from the call, after which the socket is aborted. The receive is never cancelled meanwhile: a cancelled receive would abort the socket and lose the close frame</description></item>
/// <item><term>the socket fails while sending</term><description>the next <see cref="SendAsync"/> throws an <see cref="IOException"/></description></item>
/// <item><term>dispose</term><description>aborts the socket if it is still open, then disposes it. A socket that failed by itself (e.g. after it sent 1007 for invalid UTF-8) is disposed only after <see cref="CloseTimeout"/>, so that the close frame it wrote is not dropped with its stream</description></item>
/// </list>
/// </remarks>
public sealed class WebSocketMessageChannel : IMessageChannel
{
    /// <summary>The reason sent with the close status 1008 when the outbox overflowed under <see cref="OutboxFullMode.Close"/>.</summary>
    public const string SlowConsumerCloseReason = "Slow consumer: the outbox is full.";

    /// <summary>The reason sent with the close status 1003 when a binary message arrived on a <see cref="WebSocketMessageChannelOptions.TextOnly"/> channel.</summary>
    public const string TextOnlyCloseReason = "Binary messages are not accepted: send UTF-8 text.";

    private const int InitialBufferSize = 4 * 1024;

    // A close frame's payload is at most 125 bytes: the status takes 2.
    private const int MaxCloseReasonBytes = 123;

    private readonly WebSocket _socket;
    private readonly WebSocketMessageChannelOptions _options;

    // Socket writes (the pump's data frames and every close frame) go one at a time.
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    // The outbox, guarded by its gate. A pump (PumpAsync) writes it out while _pumping is set; it is started by the send
    // that finds no pump running and ends when the outbox is empty, so an idle connection holds no send task and a
    // message sent to an idle socket is written by its caller, with no hand-over to another thread.
    private readonly object _outboxGate = new();
    private readonly Queue<ChannelMessage> _outbox = new();
    private long _outboxBytes;
    private bool _outboxClosed;
    private bool _overflowed;
    private bool _pumping;
    private Exception? _sendFailure;
    private long _dropped;

    // Completed once the outbox is closed and the pump has stopped (after the 1008 close, on an overflow); made on demand.
    private TaskCompletionSource? _sendDone;

    // Set when the outbox overflowed: a pending receive returns null at once, and so does every later one.
    private int _overflowSignalled;
    private ITimer? _overflowTimer;

    // The caller's receive while the socket's is pending; made at the first receive that waits, then reused.
    private PendingReceive? _pendingReceive;

    // Set by CloseOutputAsync (a graceful close while the receive loop reads): aborts the socket when the close timeout ends.
    private ITimer? _closeDeadline;
    private int _closingOutput;

    // Completed when the close timeout counted from an overflow has passed; made only once there is an overflow.
    private TaskCompletionSource? _overflowDeadline;
    private Task<ChannelMessage?>? _abandonedReceive;
    private Task<ChannelMessage?>? _receiving;

    // Set once this side aborts the socket (a deadline passed, or the channel was disposed): a write that then fails was
    // cancelled, not broken. Sends and receives carry no token: aborting the socket is what cancelling one of its
    // operations does, and a token on every send would cost a registration in the socket and one in its stream per
    // message, and keep them on every connection that ever sent.
    private int _aborted;
    private int _disposed;

    // The timer of a late dispose (see DisposeAsync), held until it fires.
    private ITimer? _lateDispose;

    /// <summary>Wraps <paramref name="socket"/> with the default options.</summary>
    /// <param name="socket">An open WebSocket; the channel owns it from now on.</param>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    public WebSocketMessageChannel(WebSocket socket)
        : this(socket, WebSocketMessageChannelOptions.Default)
    {
    }

    /// <summary>Wraps <paramref name="socket"/>.</summary>
    /// <param name="socket">An open WebSocket; the channel owns it from now on.</param>
    /// <param name="options">The message size limit, frame types, outbox bounds and policy, close timeout and clock.</param>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public WebSocketMessageChannel(WebSocket socket, WebSocketMessageChannelOptions options)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _socket = socket;
        _options = options;
    }

    /// <summary>Gets the options the channel runs with.</summary>
    public WebSocketMessageChannelOptions Options => _options;

    /// <summary>Gets the largest message accepted, in bytes.</summary>
    public int MaxMessageSize => _options.MaxMessageSize;

    /// <summary>Gets the longest wait for the peer's close frame once this side has sent its own.</summary>
    public TimeSpan CloseTimeout => _options.CloseTimeout;

    /// <summary>Gets the wrapped socket.</summary>
    public WebSocket Socket => _socket;

    /// <summary>Gets a value indicating whether the outbox overflowed under <see cref="OutboxFullMode.Close"/> (the connection is closing with 1008).</summary>
    public bool IsOverflowed
    {
        get
        {
            lock (_outboxGate)
            {
                return _overflowed;
            }
        }
    }

    /// <summary>Gets how many messages were dropped because the outbox was full, under <see cref="OutboxFullMode.DropNewest"/>.</summary>
    public long DroppedMessages => Interlocked.Read(ref _dropped);

    /// <inheritdoc/>
    /// <remarks>Returns once the message is in the outbox; it is written to the socket in order. When no write is under
    /// way, this call starts it and returns when the socket has taken the message or the write has to wait. The
    /// message's memory is held until it is written: do not modify it.</remarks>
    /// <exception cref="MessageChannelOverflowException">The outbox is full under <see cref="OutboxFullMode.Close"/>, now or earlier; the connection is closing with 1008.</exception>
    /// <exception cref="IOException">The socket failed while sending an earlier message.</exception>
    /// <exception cref="InvalidOperationException">The channel is closing or closed.</exception>
    public ValueTask SendAsync(ChannelMessage message, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        var overflow = false;
        var startPump = false;
        lock (_outboxGate)
        {
            if (_overflowed)
            {
                return ValueTask.FromException(new MessageChannelOverflowException());
            }

            if (_outboxClosed)
            {
                return ValueTask.FromException(_sendFailure is { } failure
                    ? new IOException("The WebSocket failed while sending.", failure)
                    : new InvalidOperationException("The channel is closing or closed."));
            }

            var length = message.Data.Length;
            if (_outbox.Count < _options.OutboxCapacity && (_outbox.Count == 0 || _outboxBytes + length <= _options.OutboxByteCapacity))
            {
                _outbox.Enqueue(message);
                _outboxBytes += length;
                startPump = !_pumping;
                _pumping = true;
            }
            else if (_options.OutboxFullMode == OutboxFullMode.DropNewest)
            {
                _dropped++;
                return ValueTask.CompletedTask;
            }
            else
            {
                _overflowed = true;
                _outboxClosed = true;
                _outbox.Clear();
                _outboxBytes = 0;
                overflow = true;

                // A running pump sends the 1008 close after its write; with none running, one is started for it.
                startPump = !_pumping;
                _pumping = true;
            }
        }

        if (overflow)
        {
            OnOverflow();
        }

        if (startPump)
        {
            // Runs here until its first write has to wait; it catches every failure itself.
            _ = PumpAsync();
        }

        return overflow ? ValueTask.FromException(new MessageChannelOverflowException()) : ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">The message exceeded <see cref="MaxMessageSize"/> (the socket has been closed with 1009), or was binary on a text-only channel (closed with 1003).</exception>
    /// <remarks>After an overflow under <see cref="OutboxFullMode.Close"/> it returns <see langword="null"/> at once, and a
    /// cancellation no longer cancels the socket's receive (that would abort the socket before the close frame is read).</remarks>
    public ValueTask<ChannelMessage?> ReceiveAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _overflowSignalled) != 0)
        {
            return new ValueTask<ChannelMessage?>(result: null);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            CancelReceive();
            return ValueTask.FromCanceled<ChannelMessage?>(cancellationToken);
        }

        // The socket's receive gets no token: cancelling a WebSocket's receive aborts the socket, so the caller's token
        // aborts it here, and the socket and its stream need no registrations of their own for every idle connection.
        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state => ((WebSocketMessageChannel)state!).CancelReceive(), this)
            : default;
        var receive = ReceiveCoreAsync(CancellationToken.None);
        if (receive.IsCompleted)
        {
            registration.Dispose();
            return receive.IsCompletedSuccessfully || !cancellationToken.IsCancellationRequested
                ? receive
                : ValueTask.FromCanceled<ChannelMessage?>(cancellationToken);
        }

        // The socket's receive waits (an idle connection's usual state). Not an async method with a Task.WhenAny: that
        // kept a frame and a promise per pending receive, and an overflow's completion source per connection.
        var receiving = receive.AsTask();
        Volatile.Write(ref _receiving, receiving);
        var pending = _pendingReceive ??= new PendingReceive(this);
        return pending.Start(receiving, registration, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Writes out the outbox, sends a normal close (unless a close was sent already, e.g. 1009 or 1008), then
    /// reads and drops the peer's frames until its close frame; all within <see cref="CloseTimeout"/>. Called while a
    /// <see cref="ReceiveAsync"/> is pending (to end a connection from outside its receive loop), it waits for that
    /// receive instead, which returns <see langword="null"/> when the peer's close arrives.</remarks>
    public ValueTask CloseAsync(CancellationToken cancellationToken) => new(CloseHandshakeAsync(cancellationToken));

    /// <inheritdoc/>
    /// <remarks>Writes out the outbox, then sends the close frame 1000 (<see cref="WebSocketCloseStatus.NormalClosure"/>) with
    /// <paramref name="reason"/>; the receive loop's pending (or next) <see cref="ReceiveAsync"/> reads the peer's close and
    /// returns <see langword="null"/>. All of it, counted from this call, is bounded by <see cref="CloseTimeout"/>: then the
    /// socket is aborted, so a send still stalled by a peer that does not read ends, and so does the pending receive (it
    /// throws). After an overflow (the 1008 close is under way) it does nothing; calling it again does nothing.</remarks>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is longer than 123 bytes in UTF-8 (the most a close frame carries).</exception>
    public async ValueTask CloseOutputAsync(string? reason, CancellationToken cancellationToken)
    {
        if (reason is not null && System.Text.Encoding.UTF8.GetByteCount(reason) > MaxCloseReasonBytes)
        {
            throw new ArgumentException($"A close reason is at most {MaxCloseReasonBytes} bytes in UTF-8.", nameof(reason));
        }

        if (IsOverflowed || Interlocked.Exchange(ref _closingOutput, 1) != 0)
        {
            return;
        }

        _closeDeadline = _options.TimeProvider.CreateTimer(
            static state => ((WebSocketMessageChannel)state!).OnCloseDeadline(),
            this,
            _options.CloseTimeout,
            Timeout.InfiniteTimeSpan);
        CloseOutbox(failure: null);
        await SendCompletion().WaitAsync(cancellationToken).ConfigureAwait(false);
        await CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Aborts the socket if it is still open, and disposes it.</summary>
    /// <returns>A completed task.</returns>
    /// <remarks>A socket that failed by itself is disposed after <see cref="CloseTimeout"/> instead (its own close frame,
    /// e.g. 1007, may still be in the transport's buffers). Calling it again does nothing.</remarks>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return ValueTask.CompletedTask;
        }

        CloseOutbox(failure: null);
        _overflowTimer?.Dispose();
        _closeDeadline?.Dispose();
        var state = _socket.State;
        AbortSocket();
        if (state == WebSocketState.Aborted)
        {
            // The socket failed by itself, maybe right after writing its own close frame (1007 for invalid UTF-8, 1002
            // for a protocol error): that frame may still wait in the transport's buffers, and disposing the socket
            // disposes its stream, which can drop them (ASP.NET Core's WebSocket stream aborts the HTTP context when
            // disposed, so the peer sees the connection end without the close frame). The host is left to end the
            // connection, which sends what is buffered, and the socket is disposed once the close timeout has passed.
            // Kept in a field: an unreferenced timer is collectable, and a collected one never fires.
            _lateDispose = _options.TimeProvider.CreateTimer(static socket => DisposeLate((WebSocket)socket!), _socket, _options.CloseTimeout, Timeout.InfiniteTimeSpan);
            return ValueTask.CompletedTask;
        }

        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    // On a timer thread: nothing may escape (it would end the process). By then the host may have ended the request,
    // and ASP.NET Core's stream then throws ObjectDisposedException on dispose: the connection is gone already.
    private static void DisposeLate(WebSocket socket)
    {
        try
        {
            socket.Dispose();
        }
#pragma warning disable CA1031 // See above: a failure to dispose a connection that ended already must not crash the process.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static ChannelMessageType TypeOf(WebSocketMessageType type) =>
        type == WebSocketMessageType.Text ? ChannelMessageType.Text : ChannelMessageType.Binary;

    private void CancelReceive()
    {
        if (Volatile.Read(ref _overflowSignalled) != 0)
        {
            return;
        }

        _socket.Abort();
    }

    // Refuses further sends; a running pump ends once the outbox is empty. The pump itself calls it when it stops for
    // good (pumpStopped), in the same step as it stops, so that no send starts another pump meanwhile.
    private void CloseOutbox(Exception? failure, bool pumpStopped = false)
    {
        TaskCompletionSource? done;
        lock (_outboxGate)
        {
            if (pumpStopped)
            {
                _pumping = false;
            }

            _outboxClosed = true;
            _sendFailure ??= failure;
            if (failure is not null)
            {
                _outbox.Clear();
                _outboxBytes = 0;
            }

            done = _pumping ? null : _sendDone;
        }

        done?.TrySetResult();
    }

    // Completes when the outbox is closed and written out (or dropped after a failure), and on an overflow once the 1008
    // close has been sent or has failed.
    private Task SendCompletion()
    {
        lock (_outboxGate)
        {
            if (_outboxClosed && !_pumping)
            {
                return Task.CompletedTask;
            }

            _sendDone ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _sendDone.Task;
        }
    }

    private void OnOverflow()
    {
        // One deadline, from the overflow on, bounds the whole close: the send in flight, the 1008 close frame and the
        // wait for the peer's close. A peer that does not read at all is aborted then.
        _overflowTimer = _options.TimeProvider.CreateTimer(
            static state => ((WebSocketMessageChannel)state!).OnOverflowDeadline(),
            this,
            _options.CloseTimeout,
            Timeout.InfiniteTimeSpan);

        // A full fence before the read: a receive starting now either sees the flag or is seen here (PendingReceive.Start).
        Interlocked.Exchange(ref _overflowSignalled, 1);
        Volatile.Read(ref _pendingReceive)?.Abandon();
    }

    // The graceful close took longer than the close timeout: a stalled send and the pending receive end with the abort.
    private void OnCloseDeadline() => AbortSocket();

    // Ends a stalled send, the wait for the peer's close and the pending receive, as cancelling them would.
    private void AbortSocket()
    {
        Volatile.Write(ref _aborted, 1);
        if (_socket.State is not (WebSocketState.Closed or WebSocketState.Aborted))
        {
            _socket.Abort();
        }
    }

    // Made by whichever comes first after an overflow: the close that waits for the deadline, or the deadline's timer.
    private TaskCompletionSource OverflowDeadline()
    {
        if (Volatile.Read(ref _overflowDeadline) is { } made)
        {
            return made;
        }

        var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return Interlocked.CompareExchange(ref _overflowDeadline, created, null) ?? created;
    }

    private void OnOverflowDeadline()
    {
        OverflowDeadline().TrySetResult();
        AbortSocket();
    }

    // After an overflow: the pump sends the 1008 close (or is aborted at the deadline), then the peer's close is awaited.
    private async Task OverflowHandshakeAsync()
    {
        try
        {
            await SendCompletion().ConfigureAwait(false);
            if (_abandonedReceive is { } pending)
            {
                await pending.ConfigureAwait(false);
                return;
            }

            // No receive was pending (a later ReceiveAsync returns null at once): read and drop until the peer's close,
            // ended by the abort at the deadline.
            var dropped = new byte[InitialBufferSize];
            while (_socket.State == WebSocketState.CloseSent)
            {
                await _socket.ReceiveAsync(dropped.AsMemory(), CancellationToken.None).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // The peer is gone or the socket was aborted: there is no close left to wait for.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    // Writes the outbox out in order, then stops; started by the send that found no pump running (see _pumping).
    private async Task PumpAsync()
    {
        Exception? failure = null;
        try
        {
            while (true)
            {
                ChannelMessage message;
                bool stopped;
                TaskCompletionSource? written = null;
                lock (_outboxGate)
                {
                    if (_overflowed)
                    {
                        break;
                    }

                    stopped = !_outbox.TryDequeue(out message);
                    if (stopped)
                    {
                        // Stopped under the gate: the next send starts a new pump. A closed outbox is now written out.
                        _pumping = false;
                        written = _outboxClosed ? _sendDone : null;
                    }
                    else
                    {
                        _outboxBytes -= message.Data.Length;
                    }
                }

                if (stopped)
                {
                    written?.TrySetResult();
                    return;
                }

                await WriteAsync(message, CancellationToken.None).ConfigureAwait(false);
            }

            await CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, SlowConsumerCloseReason, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Any failure of the socket ends the sending side; the next SendAsync reports it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure = ex;
        }

        // Stopped by a failure or after the 1008 close: the outbox is closed for good.
        CloseOutbox(failure, pumpStopped: true);
    }

    private async Task WriteAsync(ChannelMessage message, CancellationToken cancellationToken)
    {
        var type = message.Type == ChannelMessageType.Text ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(message.Data, type, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async ValueTask<ChannelMessage?> ReceiveCoreAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsBrowser())
        {
            // Wait for the next frame with a zero-byte read, so that an idle connection holds no receive buffer: on a
            // server with many quiet clients that is much of what a connection costs at rest. (The browser's socket
            // serves one connection and is left to read as it always has.)
            var ready = await _socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
            if (ready.MessageType == WebSocketMessageType.Close)
            {
                await AnswerCloseAsync(cancellationToken).ConfigureAwait(false);
                return null;
            }

            await RefuseBinaryAsync(ready.MessageType, cancellationToken).ConfigureAwait(false);
            if (ready.EndOfMessage)
            {
                return new ChannelMessage(TypeOf(ready.MessageType), ReadOnlyMemory<byte>.Empty);
            }
        }

        // The message is read into a pooled buffer that goes back to the pool once the message is copied out, so one
        // large message does not leave a large buffer behind for the life of the connection.
        var maxMessageSize = _options.MaxMessageSize;
        var limit = maxMessageSize + 1;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBufferSize, limit));
        try
        {
            var count = 0;
            while (true)
            {
                if (count == Math.Min(buffer.Length, limit))
                {
                    // The buffer never grows past the limit plus one byte: one byte more than allowed proves the message too big.
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit));
                    buffer.AsSpan(0, count).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var room = Math.Min(buffer.Length, limit) - count;
                var result = await _socket.ReceiveAsync(buffer.AsMemory(count, room), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await AnswerCloseAsync(cancellationToken).ConfigureAwait(false);
                    return null;
                }

                await RefuseBinaryAsync(result.MessageType, cancellationToken).ConfigureAwait(false);
                count += result.Count;
                if (count > maxMessageSize)
                {
                    await CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "Message too big", cancellationToken).ConfigureAwait(false);
                    throw new InvalidDataException($"A message exceeded the limit of {maxMessageSize} bytes; the connection was closed (1009).");
                }

                if (result.EndOfMessage)
                {
                    return new ChannelMessage(TypeOf(result.MessageType), buffer.AsSpan(0, count).ToArray());
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async ValueTask RefuseBinaryAsync(WebSocketMessageType type, CancellationToken cancellationToken)
    {
        if (type == WebSocketMessageType.Binary && _options.TextOnly)
        {
            await CloseOutputAsync(WebSocketCloseStatus.InvalidMessageType, TextOnlyCloseReason, cancellationToken).ConfigureAwait(false);
            throw new InvalidDataException("A binary message arrived on a text-only channel; the connection was closed (1003).");
        }
    }

    // The whole close, the outbox's last messages included (a peer that does not read can stall them), is bounded by the timeout.
    private async Task CloseHandshakeAsync(CancellationToken cancellationToken)
    {
        if (IsOverflowed)
        {
            await Task.WhenAny(OverflowHandshakeAsync(), OverflowDeadline().Task).WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        using var deadline = new CancellationTokenSource(_options.CloseTimeout, _options.TimeProvider);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {

            CloseOutbox(failure: null);
            await SendCompletion().WaitAsync(timeout.Token).ConfigureAwait(false);
            await CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            if (Volatile.Read(ref _receiving) is { IsCompleted: false } receiving)
            {
                // Closed while the caller's receive is pending (e.g. to reconnect): that receive reads the peer's close.
                await receiving.WaitAsync(timeout.Token).ConfigureAwait(false);
                return;
            }

            var dropped = new byte[InitialBufferSize];
            while (_socket.State == WebSocketState.CloseSent)
            {
                await _socket.ReceiveAsync(dropped.AsMemory(), timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The peer did not read or answer the close in time (disposing aborts the socket), or its receive was cancelled.
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or InvalidDataException)
        {
            // The peer is gone, or the pending receive ended otherwise: there is no close frame left to wait for.
        }
    }

    private async Task AnswerCloseAsync(CancellationToken cancellationToken)
    {
        if (_socket.State == WebSocketState.CloseReceived)
        {
            await CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CloseOutputAsync(WebSocketCloseStatus status, string? description, CancellationToken cancellationToken)
    {
        try
        {
            await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(status, description, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (WebSocketException)
        {
            // The peer is gone already; there is nothing left to close politely.
            _socket.Abort();
        }
        catch (OperationCanceledException) when (Volatile.Read(ref _aborted) != 0)
        {
            // The overflow deadline passed or the channel was disposed: the socket is aborted.
        }
        finally
        {
            _sendLock.Release();
        }
    }

    // The caller's receive while the socket's receive is pending. It ends with the socket's receive, or with null as soon
    // as the outbox overflows; the socket's receive then stays pending, to read the peer's close (CloseAsync waits for it).
    private sealed class PendingReceive : IValueTaskSource<ChannelMessage?>
    {
        private readonly WebSocketMessageChannel _channel;
        private readonly Action _onSocketReceived;
        private ManualResetValueTaskSourceCore<ChannelMessage?> _result;
        private Task<ChannelMessage?>? _receiving;
        private CancellationTokenRegistration _registration;
        private CancellationToken _cancellationToken;

        // 1 while a receive waits; whoever sets it back to 0 (the socket's receive or the overflow) completes it.
        private int _waiting;

        public PendingReceive(WebSocketMessageChannel channel)
        {
            _channel = channel;
            _onSocketReceived = OnSocketReceived;
        }

        public ValueTask<ChannelMessage?> Start(Task<ChannelMessage?> receiving, CancellationTokenRegistration registration, CancellationToken cancellationToken)
        {
            // The caller awaited the previous receive before asking for this one: its result has been read.
            _result.Reset();
            var version = _result.Version;
            _receiving = receiving;
            _registration = registration;
            _cancellationToken = cancellationToken;
            Interlocked.Exchange(ref _waiting, 1);
            receiving.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onSocketReceived);
            if (Volatile.Read(ref _channel._overflowSignalled) != 0)
            {
                Abandon();
            }

            return new ValueTask<ChannelMessage?>(this, version);
        }

        // The outbox overflowed: the caller's receive returns null now. Its continuation runs on the thread pool, not
        // inside the send that overflowed.
        public void Abandon()
        {
            if (Interlocked.Exchange(ref _waiting, 0) == 0)
            {
                return;
            }

            var receiving = _receiving!;
            _channel._abandonedReceive = receiving;
            _ = receiving.ContinueWith(static task => _ = task.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            _registration.Dispose();
            _result.RunContinuationsAsynchronously = true;
            _result.SetResult(null);
        }

        public ChannelMessage? GetResult(short token) => _result.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _result.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _result.OnCompleted(continuation, state, token, flags);

        // On the thread that completed the socket's receive, like the await this replaces: the message goes to the
        // caller without a hop through the thread pool.
        private void OnSocketReceived()
        {
            if (Interlocked.Exchange(ref _waiting, 0) == 0)
            {
                return;
            }

            _registration.Dispose();
            _result.RunContinuationsAsynchronously = false;
            ChannelMessage? message;
            try
            {
                message = _receiving!.GetAwaiter().GetResult();
            }
#pragma warning disable CA1031 // Handed to the caller, who awaits the receive.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                // Cancelled by the caller: the socket was aborted, and the caller is told of its cancellation, whatever
                // the socket threw for it.
                _result.SetException(_cancellationToken.IsCancellationRequested ? new OperationCanceledException(_cancellationToken) : ex);
                return;
            }

            _result.SetResult(message);
        }
    }
}
