namespace Reactive.Edits.Remote;

/// <summary>Tells a server's edit handler which edit it runs and for which connection.</summary>
/// <param name="Id">The edit id (the idempotency key; a good key for the effect itself, e.g. a message id).</param>
/// <param name="Attempt">The client's attempt number.</param>
/// <param name="Connection">The connection the edit arrived on: take the user from <see cref="RemoteEditConnection.User"/>, never from the command.</param>
public sealed record RemoteEditContext(EditId Id, int Attempt, RemoteEditConnection Connection);
