namespace Reactive.Edits.Remote;

/// <summary>Describes a ledger that failed to claim an incoming edit or to record its outcome (e.g. its disk is full).</summary>
/// <remarks>
/// The edit is answered regardless: a failed claim with <see cref="RemoteErrorCodes.Unavailable"/> (nothing ran), a
/// failed record with the outcome itself (it is known, only not remembered). This is where the failure is seen: log
/// <see cref="Exception"/> with the <see cref="Context"/>, and report the store as unhealthy.
/// </remarks>
public sealed class RemoteEditLedgerFailedEventArgs : EventArgs
{
    /// <summary>Initializes the event data.</summary>
    /// <param name="context">The edit and connection the ledger failed for.</param>
    /// <param name="outcome">The outcome that could not be recorded; <see langword="null"/> when the claim failed (nothing ran).</param>
    /// <param name="exception">What the ledger threw.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> or <paramref name="exception"/> is <see langword="null"/>.</exception>
    public RemoteEditLedgerFailedEventArgs(RemoteEditContext context, EditOutcome? outcome, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(exception);
        Context = context;
        Outcome = outcome;
        Exception = exception;
    }

    /// <summary>Gets the edit (id, attempt) and the connection it arrived on.</summary>
    public RemoteEditContext Context { get; }

    /// <summary>Gets the outcome that could not be recorded, or <see langword="null"/> when the claim itself failed and nothing ran.</summary>
    public EditOutcome? Outcome { get; }

    /// <summary>Gets the exception the ledger threw.</summary>
    public Exception Exception { get; }
}
