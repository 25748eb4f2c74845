using Reactive.Edits.Remote;

namespace Reactive.Edits.Testing;

/// <summary>Says how a <see cref="ScriptedEditServer{TCommand}"/> answers one delivery of an edit: the outcome, and when (or whether) the ack and the echo arrive.</summary>
/// <remarks>
/// Delays are virtual time on the scripted server's scheduler. Putting the echo before the ack, or the ack before the
/// echo, is a matter of the two delays; a <see langword="null"/> delay drops that message.
/// </remarks>
public sealed class ScriptedResponse
{
    /// <summary>Gets a response that accepts, then acks and echoes with no delay (after the clock is next advanced).</summary>
    public static ScriptedResponse Accept { get; } = new();

    /// <summary>Gets the rejection to answer with when the edit is applied for the first time; <see langword="null"/> to accept.</summary>
    /// <value>The default is <see langword="null"/>. A resend is answered with the first outcome, whatever this says.</value>
    public RemoteError? Rejection { get; init; }

    /// <summary>Gets the delay before the answer arrives at the client; <see langword="null"/> drops the answer.</summary>
    /// <value>The default is <see cref="TimeSpan.Zero"/>. An answer still in flight when the connection drops is lost.</value>
    public TimeSpan? AckDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Gets how many copies of the answer arrive (2 or more duplicate it).</summary>
    /// <value>The default is 1.</value>
    public int AckCopies { get; init; } = 1;

    /// <summary>Gets the delay before the echo (the authoritative item) is published, for an edit applied by this delivery; <see langword="null"/> publishes none.</summary>
    /// <value>The default is <see cref="TimeSpan.Zero"/>. Resends never echo again: the effect happened once.</value>
    public TimeSpan? EchoDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Creates a response that rejects the edit.</summary>
    /// <param name="code">The error code.</param>
    /// <param name="message">The error message.</param>
    /// <returns>The response.</returns>
    public static ScriptedResponse Reject(string code, string message) => new() { Rejection = new RemoteError(code, message) };
}
