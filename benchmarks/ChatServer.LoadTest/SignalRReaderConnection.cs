using System.Buffers;
using System.Text.Json;

namespace ChatServer.LoadTest;

/// <summary>A lean reader of SignalR's JSON hub protocol over WebSockets, as lean as the chat's readers: no negotiation
/// (the WebSockets transport directly), the handshake <c>{"protocol":"json","version":1}</c>, records split at the
/// record separator (0x1E), and a scan of each invocation of the broadcast method for the message's text. Like
/// SignalR's own clients it sends a ping every 15 s, for the hub's client timeout (30 s by default); the hub's pings
/// need no answer and are ignored.</summary>
public sealed class SignalRReaderConnection : LeanConnection
{
    private const byte RecordSeparator = 0x1E;
    private static readonly byte[] Handshake = [.. """{"protocol":"json","version":1}"""u8, RecordSeparator];
    private static readonly byte[] Ping = [.. """{"type":6}"""u8, RecordSeparator];
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    private readonly TaskCompletionSource _handshaken = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // The tail of a record that a WebSocket message did not finish (the transport may split a flush); usually empty.
    private readonly ArrayBufferWriter<byte> _partial = new();
    private Task _keepingAlive = Task.CompletedTask;

    private SignalRReaderConnection(RawWebSocket socket, int client, ILoadSink sink)
        : base(socket, client, sink)
    {
    }

    /// <summary>Connects to the hub at <paramref name="hubPath"/> (with its query) and completes once the hub accepted
    /// the handshake, so that the connection is in the broadcast's audience before the load starts.</summary>
    public static async Task<SignalRReaderConnection> OpenAsync(Uri server, string hubPath, int client, ILoadSink sink, CancellationToken cancellationToken)
    {
        var socket = await ConnectAsync(SocketUri(server, hubPath), cookie: null, cancellationToken);
        var connection = new SignalRReaderConnection(socket, client, sink);
        connection.StartReceiving();
        try
        {
            await connection.SendFrameAsync(Handshake);
            await connection._handshaken.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        connection._keepingAlive = Task.Run(connection.KeepAliveAsync, CancellationToken.None);
        return connection;
    }

    /// <summary>Readers do not send: the senders are full HubConnections (see SignalRTarget).</summary>
    public override Task<Guid> SendAsync(string text) =>
        throw new InvalidOperationException("A lean SignalR reader does not send; senders are HubConnections.");

    protected override void OnMessage(ReadOnlyMemory<byte> message)
    {
        var span = message.Span;
        if (_partial.WrittenCount > 0)
        {
            _partial.Write(span);
            var joined = _partial.WrittenMemory.ToArray();
            _partial.ResetWrittenCount();
            span = joined;
        }
        int end;
        while ((end = span.IndexOf(RecordSeparator)) >= 0)
        {
            Dispatch(span[..end]);
            span = span[(end + 1)..];
        }
        _partial.Write(span);
    }

    protected override async ValueTask DisposeCoreAsync() => await _keepingAlive;

    // The first record is the handshake's answer ({} or {"error":…}); then: 1 invocation (the broadcast "message",
    // whose first argument carries "text"), 6 ping (ignored: our own pings keep the hub's timeout), 7 close (its error
    // is the reason the socket will close). Completions (3) do not come to a reader, which invokes nothing.
    private void Dispatch(ReadOnlySpan<byte> record)
    {
        var reader = new Utf8JsonReader(record);
        if (!_handshaken.Task.IsCompleted)
        {
            var error = ReadString(record, "error"u8);
            if (error is null)
            {
                _handshaken.TrySetResult();
            }
            else
            {
                _handshaken.TrySetException(new InvalidOperationException($"SignalR handshake refused: {error}"));
            }
            return;
        }
        int? type = null;
        var isMessage = false;
        string? closeError = null;
        ReadOnlySpan<byte> text = default;
        var hasText = false;
        var inArguments = false;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }
            var depth = reader.CurrentDepth;
            if (depth == 1 && reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = reader.GetInt32();
            }
            else if (depth == 1 && reader.ValueTextEquals("target"u8))
            {
                reader.Read();
                isMessage = reader.ValueTextEquals("message"u8);
            }
            else if (depth == 1 && reader.ValueTextEquals("arguments"u8))
            {
                inArguments = true;
            }
            else if (depth == 1 && reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                closeError = reader.GetString();
            }
            else if (depth == 3 && inArguments && reader.ValueTextEquals("text"u8))
            {
                reader.Read();
                text = Utf8Value(ref reader);
                hasText = true;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        switch (type)
        {
            case 1 when isMessage && hasText:
                Sink.OnMessage(Client, text);
                break;
            case 7:
                ServerCloseReason = $"SignalR close message: {closeError ?? "no error"}";
                break;
        }
    }

    private static string? ReadString(ReadOnlySpan<byte> record, ReadOnlySpan<byte> name)
    {
        var reader = new Utf8JsonReader(record);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals(name))
            {
                reader.Read();
                return reader.GetString();
            }
        }
        return null;
    }

    private async Task KeepAliveAsync()
    {
        using var timer = new PeriodicTimer(KeepAliveInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(Stopping))
            {
                await SendFrameAsync(Ping);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or System.Net.Sockets.SocketException or InvalidOperationException or ObjectDisposedException)
        {
            // Stopped, or the socket is gone (its close is reported by the receive loop).
        }
    }
}
