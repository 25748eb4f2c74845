using ChatServer.Shared.Protocol;

namespace ChatServer.Storage;

/// <summary>The messages, shared by every connection: <see cref="MemoryMessageStore"/> or the durable <see cref="SqliteMessageStore"/>.</summary>
/// <remarks>Implementations need not be thread-safe on their own. <see cref="Chat.ChatRoom"/> runs one write at a time,
/// each followed by posting its change to every connection before the next write, so that everyone sees the changes in
/// the order they were stored. It reads <see cref="Recent"/> under its gate, and runs the writes (<see cref="Append"/>,
/// <see cref="Edit"/>, <see cref="Delete"/>) outside that gate: a write's change reaches <see cref="Recent"/> only through
/// <see cref="AddToRecent"/> or <see cref="UpdateRecent"/>, which the room calls under the gate when it posts the change.
/// A connection that joins meanwhile thus gets each change once, in its history or as a live frame. Each write records
/// its edit id with the change, in the same step: that is the ledger's record of the acceptance.</remarks>
public interface IMessageStore
{
    /// <summary>Gets the most recent <see cref="Chat.ChatOptions.HistorySize"/> messages that are not deleted, oldest first.</summary>
    /// <returns>A snapshot.</returns>
    IReadOnlyList<ChatMessage> Recent();

    /// <summary>Finds a message by id, deleted or not.</summary>
    /// <param name="id">The message id.</param>
    /// <returns>The message, or <see langword="null"/> when the store has none with that id.</returns>
    StoredMessage? Find(Guid id);

    /// <summary>Stores new messages, in order, all or none; when this returns, they are as durable as the store can make
    /// them. Messages that arrive together are stored together: one transaction, one flush of the disk. They are not in
    /// <see cref="Recent"/> until <see cref="AddToRecent"/> is called with them.</summary>
    /// <param name="messages">The messages, at least one.</param>
    /// <returns>The stored messages, in the same order, numbered in sequence.</returns>
    IReadOnlyList<ChatMessage> Append(IReadOnlyList<NewMessage> messages);

    /// <summary>Adds messages that <see cref="Append"/> stored to <see cref="Recent"/> (and to what <see cref="Find"/> finds,
    /// for a store that keeps only its recent messages).</summary>
    /// <param name="stored">What <see cref="Append"/> returned, before any later <see cref="Append"/> is added.</param>
    void AddToRecent(IReadOnlyList<ChatMessage> stored);

    /// <summary>Records an edit of <paramref name="current"/>: its new text when <paramref name="apply"/> is set (the
    /// revision grows by one), else only its id (a conflicting edit that lost); durable when this returns.</summary>
    /// <param name="editId">The edit's id, added to <see cref="ChatMessage.EditIds"/> and recorded for the ledger.</param>
    /// <param name="command">The validated edit.</param>
    /// <param name="current">The message as found, not deleted.</param>
    /// <param name="apply">Whether the edit changes the text.</param>
    /// <returns>The message after the edit; <see cref="Recent"/> shows it from <see cref="UpdateRecent"/> on.</returns>
    ChatMessage Edit(Guid editId, EditMessage command, ChatMessage current, bool apply);

    /// <summary>Deletes <paramref name="current"/>: its text is erased, durable when this returns; it leaves
    /// <see cref="Recent"/> at <see cref="UpdateRecent"/>.</summary>
    /// <param name="editId">The deletion's id, recorded for the ledger.</param>
    /// <param name="command">The deletion.</param>
    /// <param name="current">The message as found, not deleted.</param>
    /// <returns>The message as the deletion left it: its text erased, <see cref="StoredMessage.IsDeleted"/> set.</returns>
    StoredMessage Delete(Guid editId, DeleteMessage command, ChatMessage current);

    /// <summary>Brings a change that <see cref="Edit"/> or <see cref="Delete"/> stored into <see cref="Recent"/> (and
    /// into what <see cref="Find"/> finds, for a store that keeps only its recent messages).</summary>
    /// <param name="changed">The message as the write left it: the edited message, or what <see cref="Delete"/>
    /// returned.</param>
    void UpdateRecent(StoredMessage changed);
}
