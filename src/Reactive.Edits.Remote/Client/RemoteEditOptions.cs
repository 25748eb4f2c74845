namespace Reactive.Edits.Remote;

/// <summary>Configures a <see cref="RemoteEditClient{TCommand}"/>: how long to wait for an answer, and when to give up.</summary>
/// <remarks>
/// A missing answer never rejects an edit by itself: after <see cref="AckTimeout"/> the outcome is unknown and the edit
/// is resent with the same id. Only when <see cref="MaxSendAttempts"/> sends went unanswered, or the attempt has been
/// tracked for <see cref="GiveUpAfter"/>, does the client give up and reject it with a <see cref="RemoteEditGaveUpException"/>.
/// </remarks>
public sealed class RemoteEditOptions
{
    /// <summary>Gets the options every property of which has its default.</summary>
    public static RemoteEditOptions Default { get; } = new();

    /// <summary>Gets the time to wait for the answer to one send before the outcome is considered unknown and the edit is resent.</summary>
    /// <value>The default is 10 seconds. <see cref="Timeout.InfiniteTimeSpan"/> disables the timeout (edits are then resent only after a reconnect).</value>
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the number of sends of one attempt after which, if none was answered, the client gives up.</summary>
    /// <value>The default is 10. Every send counts: the first, each resend after a timeout and each resend after a reconnect.</value>
    public int MaxSendAttempts { get; init; } = 10;

    /// <summary>Gets the time after which an attempt that is still unanswered is given up, measured from when the attempt started.</summary>
    /// <value>The default is 5 minutes. <see cref="Timeout.InfiniteTimeSpan"/> disables this bound. Time spent disconnected counts.</value>
    public TimeSpan GiveUpAfter { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets the clock of the ack timeouts and the give-up bound.</summary>
    /// <value>The default is <see langword="null"/>: the edit set's scheduler. A <c>FakeTimeProvider</c> in tests, or the app's one clock.
    /// A scheduler passed to the client's constructor takes precedence.</value>
    public TimeProvider? TimeProvider { get; init; }

    internal void Validate()
    {
        if (AckTimeout <= TimeSpan.Zero && AckTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(AckTimeout), AckTimeout, "The ack timeout must be positive or infinite.");
        }

        if (GiveUpAfter <= TimeSpan.Zero && GiveUpAfter != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(GiveUpAfter), GiveUpAfter, "The give-up bound must be positive or infinite.");
        }

        if (MaxSendAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSendAttempts), MaxSendAttempts, "At least one send is needed.");
        }
    }
}
