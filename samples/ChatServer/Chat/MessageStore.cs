using ChatServer.Shared.Protocol;
using Microsoft.Extensions.Options;

namespace ChatServer.Chat;

/// <summary>The messages, shared by every connection: in memory, the most recent <see cref="ChatOptions.HistorySize"/>.</summary>
/// <remarks>Not thread-safe on its own: <see cref="ChatRoom"/> calls it under its gate, so that storing a message and
/// posting it to every connection happen as one step, in the same order for everyone.</remarks>
public sealed class MessageStore(TimeProvider time, IOptions<ChatOptions> options)
{
    private readonly Queue<ChatMessage> _recent = new();
    private readonly int _capacity = Math.Max(1, options.Value.HistorySize);
    private long _sequence;

    /// <summary>Gets the recent messages, oldest first.</summary>
    /// <returns>A snapshot.</returns>
    public IReadOnlyList<ChatMessage> Recent() => [.. _recent];

    /// <summary>Stores a new message.</summary>
    /// <param name="id">The id of the edit that creates it.</param>
    /// <param name="user">The author, from the connection's identity.</param>
    /// <param name="text">The validated text.</param>
    /// <returns>The stored message.</returns>
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
