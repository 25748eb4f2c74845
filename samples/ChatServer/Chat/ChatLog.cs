namespace ChatServer.Chat;

/// <summary>The chat's log messages, source-generated, with stable event ids.</summary>
internal static partial class ChatLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Connection {ConnectionId} opened for {User}")]
    public static partial void ConnectionOpened(ILogger logger, string connectionId, string user);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Connection {ConnectionId} of {User} closed (outbox overflowed: {Overflowed})")]
    public static partial void ConnectionClosed(ILogger logger, string connectionId, string user, bool overflowed);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Message {Sequence} posted by {User}")]
    public static partial void MessagePosted(ILogger logger, long sequence, string user);

    [LoggerMessage(EventId = 14, Level = LogLevel.Debug, Message = "Message {Sequence} edited by {User}: revision {Revision} (applied: {Applied})")]
    public static partial void MessageEdited(ILogger logger, long sequence, string user, long revision, bool applied);

    [LoggerMessage(EventId = 15, Level = LogLevel.Debug, Message = "Message {Sequence} deleted by {User}")]
    public static partial void MessageDeletedBy(ILogger logger, long sequence, string user);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Send {EditId} of {User} rejected: {Code}")]
    public static partial void SendRejected(ILogger logger, Guid editId, string user, string code);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Connection {ConnectionId} sent a malformed message: {Error}")]
    public static partial void Malformed(ILogger logger, string connectionId, string? error);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Refused a request to {Path}: not a WebSocket request")]
    public static partial void NotWebSocket(ILogger logger, string path);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Refused a WebSocket upgrade: {Reason}")]
    public static partial void OriginRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Refused a connection of {User}: already {Limit} open")]
    public static partial void TooManyConnections(ILogger logger, string user, int limit);

    [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "Send {EditId} attempt {Attempt} on connection {ConnectionId} failed in its handler; answered edit.failed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, Guid editId, int attempt, string connectionId);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Connection {ConnectionId} sent more than {Limit} bad frames: closing it (1008)")]
    public static partial void TooManyBadFrames(ILogger logger, string connectionId, int limit);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Refusing connections from {Address}: already {Limit} open")]
    public static partial void TooManyConnectionsFromAddress(ILogger logger, System.Net.IPAddress address, int limit);

    [LoggerMessage(EventId = 44, Level = LogLevel.Warning, Message = "Refusing connections: already {Limit} open in all (Chat:MaxConnections)")]
    public static partial void TooManyConnectionsInAll(ILogger logger, long limit);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Connection limits: at most {MaxConnections} connections, {MaxConnectionsPerAddress} per address (0: no limit), request headers within {HandshakeTimeout}")]
    public static partial void ConnectionLimits(ILogger logger, string maxConnections, int maxConnectionsPerAddress, TimeSpan handshakeTimeout);

    [LoggerMessage(EventId = 40, Level = LogLevel.Error, Message = "The chat's database file {Path} was {What} while the server ran: sends are rejected (chat.storage-unavailable) and nothing is stored until the server is restarted")]
    public static partial void StoreFileMoved(ILogger logger, string path, string what);

    [LoggerMessage(EventId = 41, Level = LogLevel.Error, Message = "The chat's database {Path} cannot store: {Reason}; sends are rejected (chat.storage-unavailable)")]
    public static partial void StoreWriteFailed(ILogger logger, Exception exception, string path, string reason);

    [LoggerMessage(EventId = 42, Level = LogLevel.Warning, Message = "The chat's database {Path} stores again")]
    public static partial void StoreRecovered(ILogger logger, string path);

    [LoggerMessage(EventId = 43, Level = LogLevel.Error, Message = "The ledger failed for send {EditId} attempt {Attempt} on connection {ConnectionId} (outcome {Outcome}); the send was answered regardless")]
    public static partial void LedgerFailed(ILogger logger, Exception exception, Guid editId, int attempt, string connectionId, string outcome);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Demo options are on: latency {Latency}, fail one send in {FailEveryNth}")]
    public static partial void DemoOn(ILogger logger, TimeSpan latency, int failEveryNth);

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "{User} logged out: closing the session's {Count} open sockets (4401)")]
    public static partial void SessionSocketsClosing(ILogger logger, string user, int count);

    [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "Refused a login from {Address}: more than {Limit} per {Window}")]
    public static partial void LoginRateLimited(ILogger logger, string address, int limit, TimeSpan window);

    [LoggerMessage(EventId = 32, Level = LogLevel.Warning, Message = "Refused a cross-site {Method} {Path}: Origin {Origin}, Sec-Fetch-Site {FetchSite}")]
    public static partial void CrossSiteRefused(ILogger logger, string method, string path, string origin, string fetchSite);
}
