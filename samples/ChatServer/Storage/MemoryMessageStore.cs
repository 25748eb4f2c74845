using ChatServer.Chat;
using ChatServer.Shared.Protocol;
using Microsoft.Extensions.Options;

namespace ChatServer.Storage;

/// <summary>The messages in memory, the most recent <see cref="ChatOptions.HistorySize"/>: lost on restart
/// (<c>Chat:Store:Kind=Memory</c>).</summary>
/// <remarks>Not thread-safe on its own: <see cref="ChatRoom"/> calls it under its gate, so that storing a message and
/// posting it to every connection happen as one step, in the same order for everyone.</remarks>
public sealed class MemoryMessageStore(TimeProvider time, IOptions<ChatOptions> options) : IMessageStore
{
    private readonly Queue<ChatMessage> _recent = new();
    private readonly int _capacity = Math.Max(1, options.Value.HistorySize);
    private long _sequence;

    /// <inheritdoc/>
    public IReadOnlyList<ChatMessage> Recent() => [.. _recent];

    /// <inheritdoc/>
    public ChatMessage Append(Guid id, string user, string text)
    {
        var message = new ChatMessage(id, user, text, time.GetUtcNow(), ++_sequence);
        _recent.Enqueue(message);
        while (_recent.Count > _capacity)
        {
            _recent.Dequeue();
        }
        return message;
    }
}
