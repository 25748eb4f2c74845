using ChatServer.Auth;
using ChatServer.Shared.Protocol;
using ChatServer.Storage;
using Reactive.Edits.Remote;

namespace ChatServer.Chat;

/// <summary>Who may edit or delete a message, and when: the same rules whichever store holds it.</summary>
public static class MessageChangeRules
{
    /// <summary>Tells why a change of a message is refused, if it is.</summary>
    /// <param name="stored">The message as stored when the change applies; <see langword="null"/> when there is none.</param>
    /// <param name="user">The user asking, from the connection's identity.</param>
    /// <param name="isDeletion">Whether the change is a deletion (deleting a deleted message is not refused: it changes nothing).</param>
    /// <returns>The refusal, or <see langword="null"/> when the change may apply.</returns>
    public static RemoteError? Refusal(StoredMessage? stored, string user, bool isDeletion)
    {
        var what = isDeletion ? "delete" : "edit";
        return stored switch
        {
            null => new RemoteError(ChatProtocol.MessageNotFound, $"There is no message to {what} with this id."),
            _ when !UserNames.Comparer.Equals(stored.Message.User, user) => new RemoteError(ChatProtocol.NotAuthor, $"Only its author may {what} a message."),
            { IsDeleted: true } when isDeletion => null,
            { IsDeleted: true } => new RemoteError(ChatProtocol.MessageDeleted, "This message was deleted, so it cannot be edited. Discard the edit."),
            _ => null,
        };
    }
}
