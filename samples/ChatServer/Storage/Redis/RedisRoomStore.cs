using ChatServer.Chat;
using ChatServer.Shared.Protocol;
using Microsoft.Extensions.Options;
using Reactive.Edits.Remote;

namespace ChatServer.Storage.Redis;

/// <summary>The room's messages when several nodes share them (<c>Chat:Store:Kind=Redis</c>): each write goes to the
/// room's log in Redis, and each node delivers what the log's feed reads, in the log's one order.</summary>
/// <remarks>
/// <para>A write returns the offset of its event; <see cref="ChatRoom"/> acknowledges it only once its own feed has
/// delivered that offset to this node's connections, so the sender sees its message before the ack, on every node.</para>
/// <para>While Redis is away, a write waits (<see cref="Retry"/>) and its edit stays pending for its client; it is
/// written once Redis is back, or never if the client goes away first (its resend then runs it, once).</para>
/// </remarks>
public sealed class RedisRoomStore
{
    /// <summary>The name of the one room, the prefix of its keys.</summary>
    public const string Room = "chat";

    private readonly TimeProvider _time;

    public RedisRoomStore(SharedRedisConnection redis, TimeProvider time, IOptions<ChatOptions> options, ILogger<RedisRoomStore> logger)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        Log = new RedisMessageLog(redis.Multiplexer, new RedisRoomKeys(Room), time);
        Retry = new RedisOutageRetry(options.Value.Store.RedisRetryInterval, time, logger);
        FeedOptions = new RedisMessageFeedOptions { PollInterval = options.Value.Store.RedisPollInterval };
    }

    /// <summary>Gets the room's log.</summary>
    public RedisMessageLog Log { get; }

    /// <summary>Gets how writes and ledger lookups wait while Redis is away.</summary>
    public RedisOutageRetry Retry { get; }

    /// <summary>Gets how this node's feed reads the log.</summary>
    public RedisMessageFeedOptions FeedOptions { get; }

    /// <summary>Stores a new message, or finds the one its edit id stored first; waits while Redis is away.</summary>
    /// <param name="id">The send's edit id.</param>
    /// <param name="user">The author.</param>
    /// <param name="text">The validated text.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>What the append did, with the offset to deliver before the ack.</returns>
    public Task<RedisAppendResult> AppendAsync(Guid id, string user, string text, CancellationToken cancellationToken) =>
        Retry.RunAsync(() => Log.AppendAsync(id, user, text), cancellationToken);

    /// <summary>Edits a message, or deletes it, checked against the message as it stands in Redis when the change is
    /// written (compare and set, read again if another node changed it meanwhile); waits while Redis is away.</summary>
    /// <param name="editId">The edit's id.</param>
    /// <param name="user">The user asking.</param>
    /// <param name="command">An <see cref="EditMessage"/> or a <see cref="DeleteMessage"/>.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>The offset of the change's event, to deliver before the ack; 0 when there was nothing to change (the
    /// deletion of a deleted message).</returns>
    /// <exception cref="RemoteEditRejectedException">The change is refused (<see cref="MessageChangeRules"/>), or the id
    /// was used for another command.</exception>
    public async Task<RedisChangeResult> ChangeAsync(Guid editId, string user, ChatCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var (messageId, deletion) = command switch
        {
            EditMessage edit => (edit.MessageId, false),
            DeleteMessage delete => (delete.MessageId, true),
            _ => throw new ArgumentException($"{command.GetType().Name} does not change a message.", nameof(command)),
        };
        while (true)
        {
            var found = await Retry.RunAsync(() => Log.FindMessageAsync(messageId), cancellationToken);
            if (MessageChangeRules.Refusal(found?.Stored, user, deletion) is { } refusal)
            {
                throw refusal.ToException();
            }
            if (found!.Stored.IsDeleted)
            {
                return new RedisChangeResult(RedisChangeOutcome.Existing, 0);
            }
            var current = found.Stored.Message;
            var (after, deleted) = command is EditMessage edit
                ? (EditedMessage.Of(current, editId, edit.Text, current.Revision == edit.BaseRevision, _time.GetUtcNow()), (MessageDeleted?)null)
                : (current with { Text = "" }, new MessageDeleted(messageId, editId));
            var result = await Retry.RunAsync(() => Log.ChangeAsync(editId, command, found, after, deleted), cancellationToken);
            if (result.Outcome != RedisChangeOutcome.Changed)
            {
                return result;
            }
        }
    }
}
