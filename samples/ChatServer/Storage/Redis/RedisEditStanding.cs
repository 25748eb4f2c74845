using Reactive.Edits.Remote;

namespace ChatServer.Storage.Redis;

/// <summary>How an incoming attempt of an edit stands in the Redis ledger (<see cref="RedisMessageLog.FindEditAsync"/>).</summary>
/// <param name="Recorded">The recorded outcome to answer with, or <see langword="null"/> when the attempt must run
/// (the id is new, or only earlier attempts were rejected).</param>
public sealed record RedisEditStanding(EditOutcome? Recorded)
{
    /// <summary>Gets the standing of an attempt that must run.</summary>
    public static RedisEditStanding New { get; } = new((EditOutcome?)null);

    /// <summary>Gets the rejection of an id that was used with a different text.</summary>
    public static EditOutcome Conflict { get; } =
        EditOutcome.Rejected(new RemoteError(RemoteErrorCodes.ConflictingCommand, "This edit id was already used with a different command."));
}
