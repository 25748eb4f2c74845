using ChatServer.Shared.Protocol;
using ChatServer.Storage;
using ChatServer.Storage.Redis;
using Reactive.Edits.Remote;

namespace ChatServer.Chat;

// The room's side of the messages in Redis (Chat:Store:Kind=Redis): writes go to the shared log, and this node's feed
// posts the log's events to its connections, in the log's order, from where it last stopped.
public sealed partial class ChatRoom
{
    private readonly RedisRoomStore? _shared;
    // What this node has of the recent messages (the joiners' history) and the offset of the last event it posted.
    private readonly RedisRecentWindow _window;
    // Handlers waiting for their event to be posted here before their ack, by offset.
    private readonly List<(long Offset, TaskCompletionSource Posted)> _postWaiters = [];
    private RedisMessageFeed? _feed;

    /// <summary>Gets the offset of the last event of the shared log this node posted to its connections (0 without the
    /// Redis store).</summary>
    public long SharedLogOffset
    {
        get
        {
            lock (_gate)
            {
                return _window.Offset;
            }
        }
    }

    /// <summary>Starts delivering the shared log: from a snapshot of its recent messages when Redis answers, else from
    /// its first event (this node then catches up from the start once Redis is back, posting as it goes).</summary>
    /// <param name="cancellationToken">Unused: the snapshot is one call with the client's own timeout.</param>
    /// <returns>A task that completes once the feed runs.</returns>
    internal async Task StartSharedLogAsync(CancellationToken cancellationToken)
    {
        if (_shared is null)
        {
            return;
        }
        RedisSnapshot snapshot;
        try
        {
            snapshot = await _shared.Log.SnapshotAsync(2 * _options.HistorySize);
        }
        catch (StorageUnavailableException ex)
        {
            ChatLog.SharedLogFromStart(_logger, ex);
            snapshot = new RedisSnapshot(0, []);
        }
        lock (_gate)
        {
            _window.Reset(snapshot);
            _historyFrames = null;
        }
        _feed = new RedisMessageFeed(_shared.Log, snapshot.Offset, PostShared, _shared.FeedOptions, _time, _logger);
        ChatLog.SharedLogStarted(_logger, snapshot.Offset, snapshot.Messages.Count);
    }

    /// <summary>Stops the feed.</summary>
    /// <returns>A task that completes once it has stopped.</returns>
    internal async Task StopSharedLogAsync()
    {
        if (_feed is { } feed)
        {
            _feed = null;
            await feed.DisposeAsync();
        }
    }

    // The feed's callback, one event at a time in the log's order: the event joins the history and goes to every
    // connection in one step under the gate (a joiner gets it either in its history or as a frame, never both), then
    // the handlers waiting for it may ack.
    private void PostShared(RedisLogEvent logEvent)
    {
        lock (_gate)
        {
            _window.Apply(logEvent);
            _historyFrames = null;
            PostToAll(logEvent.Message is { } message
                ? Protocol.EncodeMessage(ChatProtocol.MessageType, message, ChatJsonContext.Default.ChatMessage)
                : Protocol.EncodeMessage(ChatProtocol.DeletedType, logEvent.Deleted!, ChatJsonContext.Default.MessageDeleted));
            ChatLog.SharedEventPosted(_logger, logEvent.Offset, _connections.Count);
            _postWaiters.RemoveAll(waiter =>
            {
                if (waiter.Offset > logEvent.Offset)
                {
                    return false;
                }
                waiter.Posted.TrySetResult();
                return true;
            });
        }
    }

    // Waits until this node has posted the event at the offset to its connections (at once if it has).
    private Task WaitPostedAsync(long offset, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_window.Offset >= offset)
            {
                return Task.CompletedTask;
            }
            var posted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _postWaiters.Add((offset, posted));
            return posted.Task.WaitAsync(cancellationToken);
        }
    }

    // A send with the shared log: written (or found, for a resend), then acked once posted here.
    private async Task PublishSharedAsync(Guid id, string user, string text, CancellationToken cancellationToken)
    {
        var appended = await _shared!.AppendAsync(id, user, text, cancellationToken);
        await WaitPostedAsync(appended.Offset, cancellationToken);
        ChatLog.MessagePosted(_logger, appended.Message.Sequence, user);
    }

    // An edit or a deletion with the shared log: checked and written against the message as Redis has it.
    private async Task ChangeSharedAsync(RemoteEditContext context, string user, ChatCommand command, CancellationToken cancellationToken)
    {
        RedisChangeResult result;
        try
        {
            result = await _shared!.ChangeAsync(context.Id.Value, user, command, cancellationToken);
        }
        catch (RemoteEditRejectedException ex)
        {
            ChatLog.SendRejected(_logger, context.Id.Value, user, ex.Error.Code);
            throw;
        }
        if (result.Offset > 0)
        {
            await WaitPostedAsync(result.Offset, cancellationToken);
        }
    }
}
