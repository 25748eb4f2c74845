namespace ChatServer.Chat;

// The Redis message log's messages (event ids 300-319).
internal static partial class ChatLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "The message feed of room {Room} cannot read Redis after offset {Offset}; retrying")]
    public static partial void FeedUnavailable(ILogger logger, Exception exception, string room, long offset);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "The message feed of room {Room} reads Redis again, from offset {Offset}")]
    public static partial void FeedResumed(ILogger logger, string room, long offset);

    [LoggerMessage(EventId = 302, Level = LogLevel.Error, Message = "The message feed of room {Room} stopped: delivering offset {Offset} failed")]
    public static partial void FeedStopped(ILogger logger, Exception exception, string room, long offset);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "Redis did not answer at startup: this node delivers the shared log from its first event once Redis is back")]
    public static partial void SharedLogFromStart(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 304, Level = LogLevel.Information, Message = "Delivering the shared log after offset {Offset}, with {Count} recent messages")]
    public static partial void SharedLogStarted(ILogger logger, long offset, int count);

    [LoggerMessage(EventId = 305, Level = LogLevel.Debug, Message = "Posted event {Offset} of the shared log to {Connections} connections")]
    public static partial void SharedEventPosted(ILogger logger, long offset, int connections);
}
