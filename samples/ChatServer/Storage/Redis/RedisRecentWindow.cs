using ChatServer.Shared.Protocol;

namespace ChatServer.Storage.Redis;

/// <summary>What a node has of the room's recent messages when they live in Redis: kept up to date from the log's
/// events, so that joiners get their history from this node's memory, also while Redis is away.</summary>
/// <remarks>It keeps twice the history's size, so that deletions (which take messages out) leave a full history: a
/// node started later reads the same history from Redis. Not thread-safe: the room uses it under its gate.</remarks>
/// <param name="historySize">How many messages a joiner gets.</param>
public sealed class RedisRecentWindow(int historySize)
{
    private readonly List<ChatMessage> _messages = [];
    private readonly int _capacity = 2 * historySize;

    /// <summary>Gets the offset of the last event applied.</summary>
    public long Offset { get; private set; }

    /// <summary>Starts again from a snapshot.</summary>
    /// <param name="snapshot">Where the log stood, and its recent messages then.</param>
    public void Reset(RedisSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _messages.Clear();
        _messages.AddRange(snapshot.Messages.TakeLast(_capacity));
        Offset = snapshot.Offset;
    }

    /// <summary>Applies the next event of the log.</summary>
    /// <param name="logEvent">The event.</param>
    public void Apply(RedisLogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        if (logEvent.Message is { } message)
        {
            var index = _messages.FindIndex(m => m.Id == message.Id);
            if (index >= 0)
            {
                _messages[index] = message;
            }
            else if (_messages.Count == 0 || message.Sequence > _messages[^1].Sequence)
            {
                _messages.Add(message);
                if (_messages.Count > _capacity)
                {
                    _messages.RemoveAt(0);
                }
            }
        }
        else if (logEvent.Deleted is { } deleted)
        {
            _messages.RemoveAll(m => m.Id == deleted.Id);
        }
        Offset = logEvent.Offset;
    }

    /// <summary>Gets the history a joiner gets: the last messages, oldest first.</summary>
    /// <returns>A snapshot.</returns>
    public IReadOnlyList<ChatMessage> Recent() => _messages.Count <= historySize ? [.. _messages] : _messages.GetRange(_messages.Count - historySize, historySize);
}
