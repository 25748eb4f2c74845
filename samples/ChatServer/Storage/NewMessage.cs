namespace ChatServer.Storage;

/// <summary>A message to store: the id of the send that creates it, its author and its validated text.</summary>
/// <param name="Id">The id of the edit that creates it.</param>
/// <param name="User">The author, from the connection's identity.</param>
/// <param name="Text">The validated text.</param>
public readonly record struct NewMessage(Guid Id, string User, string Text);
