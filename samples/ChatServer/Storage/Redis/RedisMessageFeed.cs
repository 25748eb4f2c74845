using System.Threading.Channels;
using ChatServer.Chat;
using ChatServer.Shared.Protocol;
using StackExchange.Redis;

namespace ChatServer.Storage.Redis;

/// <summary>Delivers a room's new events (messages, edits, deletions), in log order, from the last one it delivered:
/// after a Redis outage it resumes there, with no gap and no duplicate (unlike a pub/sub backplane, which drops what was
/// published while a node was away).</summary>
/// <remarks>
/// <para>How it reads: each write publishes its offset on the room's channel (<see cref="RedisRoomKeys.Appended"/>),
/// which wakes the feed; the feed then reads the stream after its last delivered offset (XREAD) until it has
/// everything. The notification only says "read now": what is delivered always comes from the stream, and without one
/// the feed reads every <see cref="RedisMessageFeedOptions.PollInterval"/>.</para>
/// <para>While Redis is away, reads fail; the feed logs it once, counts it in <see cref="Outages"/>, and retries every
/// poll interval. A delivery callback that throws stops the feed: <see cref="Completion"/> faults with its exception.</para>
/// <para>Thread safety: the callback is called on one thread at a time, in offset order, never concurrently.</para>
/// </remarks>
public sealed class RedisMessageFeed : IAsyncDisposable
{
    private readonly RedisMessageLog _log;
    private readonly Action<RedisLogEvent> _deliver;
    private readonly RedisMessageFeedOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    // At most one pending wake-up: appends that arrive together are read together.
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Action<RedisChannel, RedisValue> _onAppended;
    private long _lastDelivered;
    private int _outages;
    private bool _subscribed;

    /// <summary>Starts a feed that delivers the events after <paramref name="afterOffset"/>.</summary>
    /// <param name="log">The room's log.</param>
    /// <param name="afterOffset">The offset of the last event already had (e.g. <see cref="RedisSnapshot.Offset"/>), 0 for all.</param>
    /// <param name="deliver">Called with each new event, in order.</param>
    /// <param name="options">How to read.</param>
    /// <param name="time">The clock of the poll interval.</param>
    /// <param name="logger">Where outages are logged.</param>
    public RedisMessageFeed(RedisMessageLog log, long afterOffset, Action<RedisLogEvent> deliver, RedisMessageFeedOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(deliver);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(afterOffset);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.PollInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);
        _log = log;
        _deliver = deliver;
        _options = options;
        _time = time;
        _logger = logger;
        _lastDelivered = afterOffset;
        _onAppended = (_, _) => _wake.Writer.TryWrite(true);
        Completion = Task.Run(RunAsync);
    }

    /// <summary>Gets the offset of the last event delivered.</summary>
    public long LastDelivered => Interlocked.Read(ref _lastDelivered);

    /// <summary>Gets how many times the feed lost Redis (a read failed after one had succeeded, or the first read failed).</summary>
    public int Outages => Volatile.Read(ref _outages);

    /// <summary>Gets a task that completes when the feed stops: after <see cref="DisposeAsync"/>, or faulted with the
    /// exception of a delivery callback.</summary>
    public Task Completion { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Completion;
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _stop.Dispose();
        }
    }

    private async Task RunAsync()
    {
        var stopping = _stop.Token;
        var away = false;
        while (!stopping.IsCancellationRequested)
        {
            // Taken before the read: an append notified during the read wakes the next one.
            _wake.Reader.TryRead(out _);
            bool more;
            try
            {
                await SubscribeOnceAsync();
                var events = await _log.ReadAfterAsync(LastDelivered, _options.BatchSize);
                if (away)
                {
                    away = false;
                    ChatLog.FeedResumed(_logger, _log.Keys.Room, LastDelivered);
                }
                foreach (var logEvent in events)
                {
                    Deliver(logEvent);
                }
                more = events.Count == _options.BatchSize;
            }
            catch (StorageUnavailableException ex)
            {
                if (!away)
                {
                    away = true;
                    Interlocked.Increment(ref _outages);
                    ChatLog.FeedUnavailable(_logger, ex, _log.Keys.Room, LastDelivered);
                }
                more = false;
            }
            if (!more)
            {
                await WaitForWakeAsync(stopping);
            }
        }
        await UnsubscribeAsync();
    }

    private void Deliver(RedisLogEvent logEvent)
    {
        try
        {
            _deliver(logEvent);
        }
        catch (Exception ex)
        {
            ChatLog.FeedStopped(_logger, ex, _log.Keys.Room, logEvent.Offset);
            throw;
        }
        Interlocked.Exchange(ref _lastDelivered, logEvent.Offset);
    }

    // Once subscribed, the client subscribes again by itself after a reconnect.
    private async Task SubscribeOnceAsync()
    {
        if (_subscribed)
        {
            return;
        }
        await RedisFailures.UnlessUnavailableAsync(
            async () =>
            {
                await _log.Connection.GetSubscriber().SubscribeAsync(_log.Keys.Appended, _onAppended);
                return true;
            },
            "subscribing to appends");
        _subscribed = true;
    }

    private async Task UnsubscribeAsync()
    {
        if (!_subscribed)
        {
            return;
        }
        try
        {
            await _log.Connection.GetSubscriber().UnsubscribeAsync(_log.Keys.Appended, _onAppended);
        }
        catch (Exception ex) when (RedisFailures.IsUnavailable(ex))
        {
            // Redis is away: its side of the subscription ends with the connection; the handler is gone from the client.
        }
    }

    private async Task WaitForWakeAsync(CancellationToken stopping)
    {
        using var poll = new CancellationTokenSource(_options.PollInterval, _time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stopping, poll.Token);
        try
        {
            await _wake.Reader.WaitToReadAsync(either.Token);
        }
        catch (OperationCanceledException)
        {
            // The poll interval passed without a notification (read anyway), or the feed is stopping (the loop ends).
        }
    }
}
