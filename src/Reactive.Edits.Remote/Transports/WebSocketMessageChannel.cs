using System.Buffers;
using System.Net.WebSockets;
using System.Reactive.Concurrency;
using System.Reactive.Disposables;

namespace Reactive.Edits.Remote;

/// <summary>Adapts a <see cref="WebSocket"/> to an <see cref="IMessageChannel"/>: whole messages, a size limit, serialized sends.</summary>
/// <remarks>
/// <para>Works with any <see cref="WebSocket"/>: the server socket Kestrel accepts, a
/// <see cref="ClientWebSocket"/> in .NET or in the browser (WebAssembly), or one made by
/// <see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>.</para>
/// <list type="table">
/// <listheader><term>situation</term><description>behaviour</description></listheader>
/// <item><term>fragmented message</term><description>fragments are assembled into one message</description></item>
/// <item><term>message longer than the limit</term><description>detected while the fragments arrive (never buffered past the limit): the socket is closed with 1009 (<see cref="WebSocketCloseStatus.MessageTooBig"/>) and <see cref="ReceiveAsync"/> throws <see cref="InvalidDataException"/></description></item>
/// <item><term>peer sends a close frame</term><description>the close is answered and <see cref="ReceiveAsync"/> returns <see langword="null"/></description></item>
/// <item><term>this side closes (<see cref="CloseAsync"/>, or after a 1009 or a protocol error such as invalid UTF-8)</term><description>the close handshake: the peer's remaining frames are read and dropped until its close frame arrives, for at most <see cref="CloseTimeout"/>; aborting at once could reset the connection and destroy the close frame, and its status, before the peer reads it</description></item>
/// <item><term>concurrent sends</term><description>serialized (a WebSocket allows one send at a time)</description></item>
/// <item><term>dispose</term><description>aborts the socket if it is still open, then disposes it</description></item>
/// </list>
/// </remarks>
public sealed class WebSocketMessageChannel : IMessageChannel
{
    /// <summary>The default largest message accepted: 64 KiB.</summary>
    public const int DefaultMaxMessageSize = 64 * 1024;

    /// <summary>The default longest wait for the peer's close frame: 5 seconds.</summary>
    public static readonly TimeSpan DefaultCloseTimeout = TimeSpan.FromSeconds(5);

    private const int InitialBufferSize = 4 * 1024;

    private readonly WebSocket _socket;
    private readonly int _maxMessageSize;
    private readonly TimeSpan _closeTimeout;
    private readonly IScheduler _scheduler;
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    /// <summary>Wraps <paramref name="socket"/>, accepting messages of up to <see cref="DefaultMaxMessageSize"/> bytes.</summary>
    /// <param name="socket">An open WebSocket; the channel owns it from now on.</param>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    public WebSocketMessageChannel(WebSocket socket)
        : this(socket, DefaultMaxMessageSize)
    {
    }

    /// <summary>Wraps <paramref name="socket"/>, accepting messages of up to <paramref name="maxMessageSize"/> bytes.</summary>
    /// <param name="socket">An open WebSocket; the channel owns it from now on.</param>
    /// <param name="maxMessageSize">The largest message accepted, in bytes, at least 1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxMessageSize"/> is less than 1 or is <see cref="int.MaxValue"/>.</exception>
    public WebSocketMessageChannel(WebSocket socket, int maxMessageSize)
        : this(socket, maxMessageSize, DefaultCloseTimeout, Scheduler.Default)
    {
    }

    /// <summary>Wraps <paramref name="socket"/>, accepting messages of up to <paramref name="maxMessageSize"/> bytes and
    /// waiting at most <paramref name="closeTimeout"/> for the peer's close frame, timed on <paramref name="scheduler"/>.</summary>
    /// <param name="socket">An open WebSocket; the channel owns it from now on.</param>
    /// <param name="maxMessageSize">The largest message accepted, in bytes, at least 1.</param>
    /// <param name="closeTimeout">The longest wait for the peer's close frame once this side has sent its own; not negative.</param>
    /// <param name="scheduler">Times the close handshake.</param>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> or <paramref name="scheduler"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxMessageSize"/> is less than 1 or is <see cref="int.MaxValue"/>, or <paramref name="closeTimeout"/> is negative.</exception>
    public WebSocketMessageChannel(WebSocket socket, int maxMessageSize, TimeSpan closeTimeout, IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageSize, 1);
        ArgumentOutOfRangeException.ThrowIfEqual(maxMessageSize, int.MaxValue);
        ArgumentOutOfRangeException.ThrowIfLessThan(closeTimeout, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(scheduler);
        _socket = socket;
        _maxMessageSize = maxMessageSize;
        _closeTimeout = closeTimeout;
        _scheduler = scheduler;
    }

    /// <summary>Gets the largest message accepted, in bytes.</summary>
    public int MaxMessageSize => _maxMessageSize;

    /// <summary>Gets the longest wait for the peer's close frame once this side has sent its own.</summary>
    public TimeSpan CloseTimeout => _closeTimeout;

    /// <summary>Gets the wrapped socket.</summary>
    public WebSocket Socket => _socket;

    /// <inheritdoc/>
    public async ValueTask SendAsync(ChannelMessage message, CancellationToken cancellationToken)
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

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">The message exceeded <see cref="MaxMessageSize"/>; the socket has been closed with 1009.</exception>
    public async ValueTask<ChannelMessage?> ReceiveAsync(CancellationToken cancellationToken)
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

            if (ready.EndOfMessage)
            {
                return new ChannelMessage(TypeOf(ready.MessageType), ReadOnlyMemory<byte>.Empty);
            }
        }

        // The message is read into a pooled buffer that goes back to the pool once the message is copied out, so one
        // large message does not leave a large buffer behind for the life of the connection.
        var limit = _maxMessageSize + 1;
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

                count += result.Count;
                if (count > _maxMessageSize)
                {
                    await CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "Message too big", cancellationToken).ConfigureAwait(false);
                    throw new InvalidDataException($"A message exceeded the limit of {_maxMessageSize} bytes; the connection was closed (1009).");
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

    private static ChannelMessageType TypeOf(WebSocketMessageType type) =>
        type == WebSocketMessageType.Text ? ChannelMessageType.Text : ChannelMessageType.Binary;

    /// <inheritdoc/>
    /// <remarks>Sends a normal close (unless a close was sent already, e.g. 1009), then reads and drops the peer's
    /// frames until its close frame, for at most <see cref="CloseTimeout"/>. Call it after the receive loop has ended.</remarks>
    public ValueTask CloseAsync(CancellationToken cancellationToken) => new(CloseHandshakeAsync(cancellationToken));

    /// <summary>Aborts the socket if it is still open, and disposes it.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        if (_socket.State is not (WebSocketState.Closed or WebSocketState.Aborted))
        {
            _socket.Abort();
        }

        _socket.Dispose();
        _sendLock.Dispose();
        return ValueTask.CompletedTask;
    }

    // The whole handshake, sending included (a peer that does not read can stall the send too), is bounded by the timeout.
    private async Task CloseHandshakeAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var timer = _scheduler.Schedule(timeout, _closeTimeout, static (_, state) =>
        {
            try
            {
                state.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The handshake finished while the timer fired.
            }

            return Disposable.Empty;
        });
        try
        {
            await CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            var dropped = new byte[InitialBufferSize];
            while (_socket.State == WebSocketState.CloseSent)
            {
                await _socket.ReceiveAsync(dropped.AsMemory(), timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The peer did not answer the close in time; disposing aborts the socket.
        }
        catch (WebSocketException)
        {
            // The peer is gone; there is no close frame left to wait for.
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
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
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
        finally
        {
            _sendLock.Release();
        }
    }
}
