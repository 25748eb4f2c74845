namespace ChatServer.Storage.Redis;

/// <summary>What <see cref="RedisMessageLog.ChangeAsync"/> did.</summary>
/// <param name="Outcome">Whether the change was written, had been written before, or found the message changed.</param>
/// <param name="Offset">The offset of the event that wrote it; 0 when <see cref="RedisChangeOutcome.Changed"/>.</param>
public sealed record RedisChangeResult(RedisChangeOutcome Outcome, long Offset);

/// <summary>How a compare-and-set change of a message ended.</summary>
public enum RedisChangeOutcome
{
    /// <summary>Written by this call.</summary>
    Applied,

    /// <summary>The edit had been accepted before (a resend that raced its first run): its first outcome stands.</summary>
    Existing,

    /// <summary>Nothing written: the message no longer stands as it was read. Read it again and decide again.</summary>
    Changed,
}
