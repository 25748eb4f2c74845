using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace ChatServer.LoadTest;

/// <summary>The generator's lean client, the same for every target: one ClientWebSocket, one receive loop that hands
/// each whole WebSocket message to the protocol's scan (no objects built per frame), and sends under one gate.
/// Subclasses know their protocol's frames; this class knows sockets.</summary>
public abstract class LeanConnection : ILoadConnection
{
    private readonly ClientWebSocket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private Task _receiving = Task.CompletedTask;

    protected LeanConnection(ClientWebSocket socket, int client, ILoadSink sink)
    {
        _socket = socket;
        Client = client;
        Sink = sink;
    }

    protected int Client { get; }

    protected ILoadSink Sink { get; }

    /// <summary>Gets a token cancelled when the load closes this connection on purpose.</summary>
    protected CancellationToken Stopping => _stop.Token;

    /// <summary>Gets or sets why the server said it would close (a protocol's close message), for the early-close report.</summary>
    protected string? ServerCloseReason { get; set; }

    /// <summary>Opens a socket at <paramref name="uri"/> with the server's own origin; the caller owns it.</summary>
    protected static async Task<ClientWebSocket> ConnectAsync(Uri uri, string? cookie, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var socket = new ClientWebSocket();
        // The chat checks the Origin against Chat:AllowedOrigins, to which it adds its own URLs; the others ignore it.
        socket.Options.SetRequestHeader("Origin", new UriBuilder(uri) { Scheme = uri.Scheme == "wss" ? "https" : "http" }.Uri.GetLeftPart(UriPartial.Authority));
        if (cookie is not null)
        {
            socket.Options.SetRequestHeader("Cookie", cookie);
        }
        try
        {
            await socket.ConnectAsync(uri, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return socket;
    }

    /// <summary>The socket URI of <paramref name="server"/> at <paramref name="pathAndQuery"/>.</summary>
    protected static Uri SocketUri(Uri server, string pathAndQuery)
    {
        ArgumentNullException.ThrowIfNull(server);
        return new Uri(new UriBuilder(server) { Scheme = server.Scheme == "https" ? "wss" : "ws" }.Uri, pathAndQuery);
    }

    /// <summary>Starts the receive loop; called once the subclass is ready for frames.</summary>
    protected void StartReceiving() => _receiving = Task.Run(ReceiveLoopAsync, CancellationToken.None);

    public abstract Task<Guid> SendAsync(string text);

    /// <summary>Sends one text message; sends of one connection never overlap.</summary>
    protected async Task SendFrameAsync(ReadOnlyMemory<byte> frame)
    {
        await _sendGate.WaitAsync();
        try
        {
            await _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, _stop.Token);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>Returns the string value the reader is on as UTF-8: the frame's own bytes unless the JSON escaped them.</summary>
    protected static ReadOnlySpan<byte> Utf8Value(scoped ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;

    /// <summary>Scans one whole WebSocket message; called on the receive loop, so one call at a time per connection.</summary>
    protected abstract void OnMessage(ReadOnlyMemory<byte> message);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "load test done", timeout.Token);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Already closing: nothing more to say.
        }
        try
        {
            await _receiving.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            _socket.Abort();
        }
        await DisposeCoreAsync();
        _socket.Dispose();
        _stop.Dispose();
        _sendGate.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what a subclass holds besides the socket (its timers), after the receive loop ended.</summary>
    protected virtual ValueTask DisposeCoreAsync() => ValueTask.CompletedTask;

    private async Task ReceiveLoopAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        string? endReason = null;
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer.GetMemory(8 * 1024), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    endReason = $"closed by the server: {_socket.CloseStatus} {_socket.CloseStatusDescription}";
                    if (!_stop.IsCancellationRequested)
                    {
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    }
                    break;
                }
                buffer.Advance(result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }
                OnMessage(buffer.WrittenMemory);
                buffer.ResetWrittenCount();
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            endReason = exception.Message;
        }
        if (!_stop.IsCancellationRequested)
        {
            Sink.OnClosed(Client, ServerCloseReason is null ? endReason ?? "ended" : $"{ServerCloseReason}; {endReason}");
        }
    }
}
