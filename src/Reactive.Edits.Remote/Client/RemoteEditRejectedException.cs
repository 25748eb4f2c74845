namespace Reactive.Edits.Remote;

/// <summary>Represents a definite rejection of a remote edit by the server, with the code and message the application chose.</summary>
/// <remarks>
/// <para>On the server, a handler throws it to reject an edit: the code and message travel to the issuing client, and
/// the ledger answers every resend of the attempt with them. Any other exception rejects with
/// <see cref="RemoteErrorCodes.Failed"/> and a generic message, so that server internals do not leak.</para>
/// <para>On the client, an edit the server rejected is settled as <see cref="EditStatus.Rejected"/> with this exception as its error.</para>
/// <para>Throwing means "this attempt had no effect": a later attempt of the same edit (a user's retry) runs the handler again.</para>
/// </remarks>
public sealed class RemoteEditRejectedException : Exception
{
    /// <summary>Initializes the exception with the error code and message.</summary>
    /// <param name="code">The stable, machine-readable code.</param>
    /// <param name="message">The message for people.</param>
    /// <exception cref="ArgumentNullException"><paramref name="code"/> or <paramref name="message"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="code"/> is empty.</exception>
    public RemoteEditRejectedException(string code, string message)
        : base(message)
    {
        Error = new RemoteError(code, message);
    }

    /// <summary>Initializes the exception from an error.</summary>
    /// <param name="error">The error.</param>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is <see langword="null"/>.</exception>
    public RemoteEditRejectedException(RemoteError error)
        : base(error?.Message)
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    /// <summary>Gets the error: code and message.</summary>
    public RemoteError Error { get; }

    /// <summary>Gets the stable, machine-readable code.</summary>
    public string Code => Error.Code;
}
