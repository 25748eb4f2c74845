namespace Reactive.Edits.Remote;

/// <summary>Represents a server's answer to one <see cref="EditRequest{TCommand}"/>: the edit, the attempt answered, and the outcome.</summary>
/// <param name="Id">The edit's id.</param>
/// <param name="Attempt">The attempt the reply answers; a client ignores a reply for an attempt that is not its current one.</param>
/// <param name="Outcome">Accepted, or rejected with an error.</param>
public readonly record struct EditReply(EditId Id, int Attempt, EditOutcome Outcome);
