namespace ChatServer.Shared.Protocol;

/// <summary>A message as the server stores it.</summary>
/// <param name="Id">The id of the edit that created it (the client's idempotency key, so the client reconciles its
/// pending copy in place by this id).</param>
/// <param name="User">The author, from the sending connection's identity on the server.</param>
/// <param name="Text">The text.</param>
/// <param name="SentAt">When the server stored it.</param>
/// <param name="Sequence">The server's order of messages, 1, 2, 3, … in the order they were sent; an edit keeps it, and
/// a deleted message leaves a gap.</param>
/// <param name="Revision">0 as sent; each applied edit adds 1.</param>
/// <param name="EditedAt">When the last edit was applied, or <see langword="null"/> if never edited.</param>
/// <param name="EditIds">The ids of the last <see cref="ChatProtocol.MaxEditIds"/> edits the server took into account
/// for this message, applied or not (a conflicting edit that lost), oldest first: how a client knows that the message
/// already contains its pending edit.</param>
public sealed record ChatMessage(
    Guid Id,
    string User,
    string Text,
    DateTimeOffset SentAt,
    long Sequence,
    long Revision = 0,
    DateTimeOffset? EditedAt = null,
    IReadOnlyList<Guid>? EditIds = null)
{
    /// <summary>Gets whether the edit <paramref name="editId"/> was taken into account for this message.</summary>
    /// <param name="editId">An edit id.</param>
    /// <returns><see langword="true"/> if it is in <see cref="EditIds"/>.</returns>
    public bool Includes(Guid editId) => EditIds is { } ids && ids.Contains(editId);

    /// <summary>Compares every field, <see cref="EditIds"/> element by element.</summary>
    /// <param name="other">The other message.</param>
    /// <returns><see langword="true"/> if they are equal.</returns>
    public bool Equals(ChatMessage? other) =>
        other is not null
        && Id == other.Id
        && User == other.User
        && Text == other.Text
        && SentAt == other.SentAt
        && Sequence == other.Sequence
        && Revision == other.Revision
        && EditedAt == other.EditedAt
        && (EditIds ?? []).SequenceEqual(other.EditIds ?? []);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, Text, Sequence, Revision);
}
