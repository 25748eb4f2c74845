namespace Reactive.Edits.Remote;

/// <summary>Represents one edit on the wire: the idempotency key, the attempt it belongs to, and the command.</summary>
/// <typeparam name="TCommand">The type of the command.</typeparam>
/// <param name="Id">The edit's id: the same across resends, reconnects and retries, so the server can deduplicate.</param>
/// <param name="Attempt">The number of the edit's attempt on the client (1, then 2 after a retry, ...); a resend of the same attempt keeps it.</param>
/// <param name="Command">The command, i.e. the edit's requested value.</param>
/// <remarks>
/// The token is never part of the envelope: it is a local capability. The attempt number lets the server run a
/// command again after the user retried a rejected edit, while it answers a resend of the same attempt with the first
/// outcome; and it lets the client ignore a reply meant for an earlier attempt.
/// </remarks>
public readonly record struct EditRequest<TCommand>(EditId Id, int Attempt, TCommand Command);
