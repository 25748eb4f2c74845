namespace Reactive.Edits.Remote;

/// <summary>Represents the client giving up on a remote edit whose outcome stayed unknown past the bounds of <see cref="RemoteEditOptions"/>.</summary>
/// <remarks>
/// Unlike <see cref="RemoteEditRejectedException"/>, this is not a server's answer: the server may have applied the
/// edit. Retrying it is safe: the retry keeps the edit id, so a server that applied it answers with its first outcome.
/// </remarks>
public sealed class RemoteEditGaveUpException : TimeoutException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="sendCount">How many times the attempt was sent.</param>
    /// <param name="elapsed">How long the attempt was tracked, on the client's scheduler.</param>
    public RemoteEditGaveUpException(int sendCount, TimeSpan elapsed)
        : base($"No answer from the server after {sendCount} send(s) in {elapsed}; the outcome is unknown.")
    {
        SendCount = sendCount;
        Elapsed = elapsed;
    }

    /// <summary>Gets how many times the attempt was sent.</summary>
    public int SendCount { get; }

    /// <summary>Gets how long the attempt was tracked before the client gave up.</summary>
    public TimeSpan Elapsed { get; }
}
