namespace ChatServer.Chat;

// The messages of the state shared through Redis: sessions, presence and limits over several nodes (event ids 320-339).
internal static partial class ChatLog
{
    [LoggerMessage(EventId = 320, Level = LogLevel.Information, Message = "Sharing the cookie keys, sessions, presence and limits through Redis at {EndPoints}, as node {NodeId}")]
    public static partial void SharedStateOn(ILogger logger, string endPoints, string nodeId);

    [LoggerMessage(EventId = 321, Level = LogLevel.Warning, Message = "The shared {What} cannot reach Redis: {Consequence}")]
    public static partial void SharedStateUnavailable(ILogger logger, Exception exception, string what, string consequence);

    [LoggerMessage(EventId = 322, Level = LogLevel.Information, Message = "The shared {What} reaches Redis again")]
    public static partial void SharedStateResumed(ILogger logger, string what);

    [LoggerMessage(EventId = 323, Level = LogLevel.Information, Message = "A session ended on some node: closing its sockets on this one")]
    public static partial void SessionEndedElsewhere(ILogger logger);
}
