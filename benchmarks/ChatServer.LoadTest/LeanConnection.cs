using System.Text;
using System.Text.Json;

namespace ChatServer.LoadTest;

/// <summary>The generator's lean client, the same for every target: a <see cref="RawWebSocket"/> read by the one
/// <see cref="ReadinessLoop"/> thread, which hands each whole WebSocket message to the protocol's scan (no objects
/// built per frame), and sends under the socket's gate. Subclasses know their protocol's frames; this class knows
/// sockets.</summary>
public abstract class LeanConnection : ILoadConnection
{
    private readonly RawWebSocket _socket;
    private readonly CancellationTokenSource _stop = new();
    private Task _receiving = Task.CompletedTask;

    protected LeanConnection(RawWebSocket socket, int client, ILoadSink sink)
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

    /// <summary>Opens a socket at <paramref name="uri"/> with the server's own origin; the caller owns it. The handshake
    /// blocks this thread (under a millisecond on loopback).</summary>
    protected static Task<RawWebSocket> ConnectAsync(Uri uri, string? cookie, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        cancellationToken.ThrowIfCancellationRequested();
        // The chat checks the Origin against Chat:AllowedOrigins, to which it adds its own URLs; the others ignore it.
        var headers = new Dictionary<string, string>
        {
            ["Origin"] = new UriBuilder(uri) { Scheme = "http" }.Uri.GetLeftPart(UriPartial.Authority),
        };
        if (cookie is not null)
        {
            headers["Cookie"] = cookie;
        }
        return Task.FromResult(RawWebSocket.Connect(uri, headers));
    }

    /// <summary>The socket URI of <paramref name="server"/> at <paramref name="pathAndQuery"/>.</summary>
    protected static Uri SocketUri(Uri server, string pathAndQuery)
    {
        ArgumentNullException.ThrowIfNull(server);
        return new Uri(new UriBuilder(server) { Scheme = server.Scheme == "https" ? "wss" : "ws" }.Uri, pathAndQuery);
    }

    /// <summary>Starts the reads; called once the subclass is ready for frames.</summary>
    protected void StartReceiving()
    {
        _socket.StartReceiving(OnMessage);
        _receiving = ReportEndAsync();
    }

    public abstract Task<Guid> SendAsync(string text);

    /// <summary>Sends one text message; sends of one connection never overlap.</summary>
    protected Task SendFrameAsync(ReadOnlyMemory<byte> frame)
    {
        if (_stop.IsCancellationRequested || _socket.Ended.IsCompleted)
        {
            throw new InvalidOperationException("The connection is closed.");
        }
        _socket.SendText(frame.Span);
        return Task.CompletedTask;
    }

    /// <summary>Returns the string value the reader is on as UTF-8: the frame's own bytes unless the JSON escaped them.</summary>
    protected static ReadOnlySpan<byte> Utf8Value(scoped ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;

    /// <summary>Scans one whole WebSocket message; called on the readiness loop's thread, one call at a time for all
    /// connections.</summary>
    protected abstract void OnMessage(ReadOnlyMemory<byte> message);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (!_socket.Ended.IsCompleted)
            {
                _socket.SendClose(1000, "load test done");
            }
            // The server answers the close with its own, which ends the reads.
            await _socket.Ended.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception exception) when (exception is System.Net.Sockets.SocketException or ObjectDisposedException or TimeoutException)
        {
            // Already gone, or no answer: the socket is closed below either way.
        }
        await _receiving;
        await DisposeCoreAsync();
        _socket.Dispose();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what a subclass holds besides the socket (its timers), after the reads ended.</summary>
    protected virtual ValueTask DisposeCoreAsync() => ValueTask.CompletedTask;

    private async Task ReportEndAsync()
    {
        var endReason = await _socket.Ended;
        if (!_stop.IsCancellationRequested)
        {
            Sink.OnClosed(Client, ServerCloseReason is null ? endReason : $"{ServerCloseReason}; {endReason}");
        }
    }
}
