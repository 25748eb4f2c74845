using ChatServer.Shared.Protocol;

namespace ChatServer.Storage;

/// <summary>The messages, shared by every connection: <see cref="MemoryMessageStore"/> or the durable <see cref="SqliteMessageStore"/>.</summary>
/// <remarks>Implementations need not be thread-safe on their own: <see cref="Chat.ChatRoom"/> calls them under its gate,
/// so that storing a message and posting it to every connection happen as one step, in the same order for everyone.</remarks>
public interface IMessageStore
{
    /// <summary>Gets the most recent <see cref="Chat.ChatOptions.HistorySize"/> messages, oldest first.</summary>
    /// <returns>A snapshot.</returns>
    IReadOnlyList<ChatMessage> Recent();

    /// <summary>Stores a new message; when this returns, the message is as durable as the store can make it.</summary>
    /// <param name="id">The id of the edit that creates it.</param>
    /// <param name="user">The author, from the connection's identity.</param>
    /// <param name="text">The validated text.</param>
    /// <returns>The stored message.</returns>
    ChatMessage Append(Guid id, string user, string text);
}
