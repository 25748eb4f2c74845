namespace Reactive.Edits;

/// <summary>Represents the error an edit is rejected with when its attempt did not settle within the commit timeout.</summary>
public sealed class EditTimeoutException : TimeoutException
{
    /// <summary>Initializes the exception for an attempt that ran out of time.</summary>
    /// <param name="timeout">The time the attempt was given.</param>
    public EditTimeoutException(TimeSpan timeout)
        : base($"The edit did not complete within {timeout}.")
    {
        Timeout = timeout;
    }

    /// <summary>Gets the time the attempt was given.</summary>
    public TimeSpan Timeout { get; }
}
