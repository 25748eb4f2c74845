namespace ChatServer.Shared.Protocol;

/// <summary>The names of the chat protocol: version, socket path, message types, error codes and close codes.
/// <c>docs/protocol.md</c> describes each.</summary>
public static class ChatProtocol
{
    /// <summary>The protocol version sent in <see cref="Welcome"/>; bumped on any incompatible change.</summary>
    /// <remarks>2: the history may come in several frames (<see cref="History.More"/>). 3: edits and deletions of one's
    /// own messages (<see cref="EditMessageKind"/>, <see cref="DeleteMessageKind"/>, <see cref="DeletedType"/>), and
    /// <see cref="ChatMessage.Revision"/>, <see cref="ChatMessage.EditedAt"/>, <see cref="ChatMessage.EditIds"/>. 4: new
    /// messages stored together come in one frame (<see cref="MessagesType"/>).</remarks>
    public const int Version = 4;

    /// <summary>The edit kind of <see cref="EditMessage"/> (<see cref="SendMessage"/> is the default kind, with no kind on the wire).</summary>
    public const string EditMessageKind = "edit-message";

    /// <summary>The edit kind of <see cref="DeleteMessage"/>.</summary>
    public const string DeleteMessageKind = "delete-message";

    /// <summary>How many edit ids a <see cref="ChatMessage"/> carries at most (<see cref="ChatMessage.EditIds"/>).</summary>
    public const int MaxEditIds = 16;

    /// <summary>The largest frame the server sends, in bytes, and so the least a client must accept: 64 KiB.</summary>
    /// <remarks>A history or presence state that does not fit is sent as several frames.</remarks>
    public const int MaxFrameSize = 64 * 1024;

    /// <summary>The WebSocket endpoint.</summary>
    public const string SocketPath = "/chat/ws";

    /// <summary>Server → client: <see cref="Welcome"/>.</summary>
    public const string WelcomeType = "welcome";

    /// <summary>Server → client: <see cref="History"/>.</summary>
    public const string HistoryType = "history";

    /// <summary>Server → client: one new <see cref="ChatMessage"/>.</summary>
    public const string MessageType = "message";

    /// <summary>Server → client: <see cref="MessageBatch"/>, several new messages in one frame.</summary>
    public const string MessagesType = "messages";

    /// <summary>Server → client: <see cref="MessageDeleted"/>.</summary>
    public const string DeletedType = "deleted";

    /// <summary>Server → client: <see cref="PresenceUpdate"/>.</summary>
    public const string PresenceType = "presence";

    /// <summary>Server → client: <see cref="ProtocolError"/> for input that is not a valid message.</summary>
    public const string ErrorType = "error";

    /// <summary>Reject code: the connection is anonymous.</summary>
    public const string NotLoggedIn = "chat.not-logged-in";

    /// <summary>Reject code: the text is empty or white space.</summary>
    public const string Empty = "chat.empty";

    /// <summary>Reject code: the text is longer than the limit.</summary>
    public const string TooLong = "chat.too-long";

    /// <summary>Reject code: the user sent too many messages in the rate window.</summary>
    public const string RateLimited = "chat.rate-limited";

    /// <summary>Reject code: the demonstration option "fail every Nth send" rejected this one.</summary>
    public const string DemoFailure = "chat.demo-failure";

    /// <summary>Reject code: the server cannot store messages right now (its database was deleted or replaced, its disk
    /// is full); nothing was stored. Retryable: the same text may be sent again later.</summary>
    public const string StorageUnavailable = "chat.storage-unavailable";

    /// <summary>Reject code: the message to edit or delete is someone else's (the author is the connection's user).</summary>
    public const string NotAuthor = "chat.not-author";

    /// <summary>Reject code: no message has the id to edit or delete.</summary>
    public const string MessageNotFound = "chat.message-not-found";

    /// <summary>Reject code: the message to edit was deleted (in another tab, say); nothing changed.</summary>
    public const string MessageDeleted = "chat.message-deleted";

    /// <summary>The close status of a socket whose session ended (its user logged out): the application's 401, in the
    /// range RFC 6455 leaves to applications. The client reconnects, anonymous unless it logs in again.</summary>
    public const int SessionEndedCloseStatus = 4401;

    /// <summary>Error code of a <see cref="ProtocolError"/>: the input was not a valid message.</summary>
    public const string Malformed = "chat.malformed";

    /// <summary>Error code of a <see cref="ProtocolError"/> raised by the client itself: the server speaks another
    /// protocol version than this page (the server was updated while the page stayed open), so the page must be reloaded.</summary>
    public const string VersionMismatch = "chat.version-mismatch";
}
