namespace ChatServer.Chat;

// The Redis message log's messages (event ids 300-319).
internal static partial class ChatLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "The message feed of room {Room} cannot read Redis after sequence {Sequence}; retrying")]
    public static partial void FeedUnavailable(ILogger logger, Exception exception, string room, long sequence);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "The message feed of room {Room} reads Redis again, from sequence {Sequence}")]
    public static partial void FeedResumed(ILogger logger, string room, long sequence);

    [LoggerMessage(EventId = 302, Level = LogLevel.Error, Message = "The message feed of room {Room} stopped: delivering sequence {Sequence} failed")]
    public static partial void FeedStopped(ILogger logger, Exception exception, string room, long sequence);
}
