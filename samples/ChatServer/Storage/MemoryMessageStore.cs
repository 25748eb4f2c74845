using ChatServer.Chat;
using ChatServer.Shared.Protocol;
using Microsoft.Extensions.Options;

namespace ChatServer.Storage;

/// <summary>The messages in memory, the most recent <see cref="ChatOptions.HistorySize"/> (deleted ones among them, so the
/// history may hold fewer): lost on restart
/// (<c>Chat:Store:Kind=Memory</c>). An older message is forgotten, so an edit of it is answered as of an unknown id.</summary>
/// <remarks>Not thread-safe on its own: <see cref="ChatRoom"/> runs one write at a time, and reads <see cref="Recent"/>
/// only while no <see cref="AddToRecent"/> or <see cref="UpdateRecent"/> runs (see <see cref="IMessageStore"/>). The
/// writes only compute their result: the messages and their changes are kept from <see cref="AddToRecent"/> and
/// <see cref="UpdateRecent"/> on.</remarks>
public sealed class MemoryMessageStore(TimeProvider time, IOptions<ChatOptions> options) : IMessageStore
{
    // The recent messages in order, deleted ones kept (as such) until they leave the window.
    private readonly List<StoredMessage> _recent = [];
    private readonly int _capacity = Math.Max(1, options.Value.HistorySize);
    private long _sequence;

    /// <inheritdoc/>
    public IReadOnlyList<ChatMessage> Recent() => [.. _recent.Where(static stored => !stored.IsDeleted).Select(static stored => stored.Message)];

    /// <inheritdoc/>
    public StoredMessage? Find(Guid id) => _recent.Find(stored => stored.Message.Id == id);

    /// <inheritdoc/>
    public IReadOnlyList<ChatMessage> Append(IReadOnlyList<NewMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var now = time.GetUtcNow();
        var stored = new List<ChatMessage>(messages.Count);
        foreach (var (id, user, text) in messages)
        {
            stored.Add(new ChatMessage(id, user, text, now, ++_sequence));
        }
        return stored;
    }

    /// <inheritdoc/>
    public void AddToRecent(IReadOnlyList<ChatMessage> stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        foreach (var message in stored)
        {
            _recent.Add(new StoredMessage(message, IsDeleted: false));
        }
        if (_recent.Count > _capacity)
        {
            _recent.RemoveRange(0, _recent.Count - _capacity);
        }
    }

    /// <inheritdoc/>
    public ChatMessage Edit(Guid editId, EditMessage command, ChatMessage current, bool apply)
    {
        ArgumentNullException.ThrowIfNull(command);
        return EditedMessage.Of(current, editId, command.Text, apply, time.GetUtcNow());
    }

    /// <inheritdoc/>
    /// <remarks>Memory has nothing to write: the deletion is kept from <see cref="UpdateRecent"/> on.</remarks>
    public StoredMessage Delete(Guid editId, DeleteMessage command, ChatMessage current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return new StoredMessage(current with { Text = string.Empty }, IsDeleted: true);
    }

    /// <inheritdoc/>
    /// <remarks>A deleted message stays in the window, as such, until it leaves it.</remarks>
    public void UpdateRecent(StoredMessage changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        var index = _recent.FindIndex(candidate => candidate.Message.Id == changed.Message.Id);
        if (index >= 0)
        {
            _recent[index] = changed;
        }
    }
}
