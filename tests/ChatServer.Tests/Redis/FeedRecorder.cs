using ChatServer.Shared.Protocol;
using ChatServer.Storage.Redis;

namespace ChatServer.Tests.Redis;

/// <summary>Records what a <see cref="RedisMessageFeed"/> delivers, and lets a test await a count of deliveries
/// (signalled by each delivery, with a timeout only as a guard against a hang).</summary>
/// <remarks><see cref="Delivered"/> and <see cref="WaitForAsync"/> give the messages of the events (a deletion gives none);
/// <see cref="Events"/> gives the events themselves.</remarks>
public sealed class FeedRecorder : IAsyncDisposable
{
    private readonly List<RedisLogEvent> _delivered = [];
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];

    public FeedRecorder(Func<Action<RedisLogEvent>, RedisMessageFeed> start) => Feed = start(Record);

    public RedisMessageFeed Feed { get; }

    public IReadOnlyList<RedisLogEvent> Events
    {
        get
        {
            lock (_delivered)
            {
                return [.. _delivered];
            }
        }
    }

    public IReadOnlyList<ChatMessage> Delivered => [.. Events.Where(e => e.Message is not null).Select(e => e.Message!)];

    public async Task<IReadOnlyList<ChatMessage>> WaitForAsync(int count)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_delivered)
        {
            if (_delivered.Count >= count)
            {
                return Delivered;
            }
            _waiters.Add((count, reached));
        }
        try
        {
            // A stopped feed (its completion faulted) ends the wait too, with its exception.
            await Task.WhenAny(reached.Task, Feed.Completion).Unwrap().WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The feed delivered {Events.Count} events within 20 s, not {count}.");
        }
        return Delivered;
    }

    public ValueTask DisposeAsync() => Feed.DisposeAsync();

    private void Record(RedisLogEvent logEvent)
    {
        lock (_delivered)
        {
            _delivered.Add(logEvent);
            foreach (var waiter in _waiters.Where(waiter => _delivered.Count >= waiter.Count).ToList())
            {
                waiter.Reached.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }
}
