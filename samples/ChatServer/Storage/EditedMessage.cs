using ChatServer.Shared.Protocol;

namespace ChatServer.Storage;

/// <summary>What an edit makes of a message, the same in every store.</summary>
public static class EditedMessage
{
    /// <summary>Returns <paramref name="current"/> after the edit <paramref name="editId"/>: with the new text, the next
    /// revision and the edit time when it applies; in every case with the edit's id last in <see cref="ChatMessage.EditIds"/>
    /// (the oldest dropped beyond <see cref="ChatProtocol.MaxEditIds"/>).</summary>
    /// <param name="current">The message before the edit.</param>
    /// <param name="editId">The edit's id.</param>
    /// <param name="text">The new text.</param>
    /// <param name="apply">Whether the edit changes the text (else it lost a conflict).</param>
    /// <param name="now">The time of the edit.</param>
    /// <returns>The message after it.</returns>
    public static ChatMessage Of(ChatMessage current, Guid editId, string text, bool apply, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(current);
        var ids = new List<Guid>(current.EditIds ?? []) { editId };
        if (ids.Count > ChatProtocol.MaxEditIds)
        {
            ids.RemoveRange(0, ids.Count - ChatProtocol.MaxEditIds);
        }
        return apply
            ? current with { Text = text, Revision = current.Revision + 1, EditedAt = now, EditIds = ids }
            : current with { EditIds = ids };
    }
}
