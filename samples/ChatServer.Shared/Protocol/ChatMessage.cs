namespace ChatServer.Shared.Protocol;

/// <summary>A message as the server stores it.</summary>
/// <param name="Id">The id of the edit that created it (the client's idempotency key, so the client reconciles its
/// pending copy in place by this id).</param>
/// <param name="User">The author, from the sending connection's identity on the server.</param>
/// <param name="Text">The text.</param>
/// <param name="SentAt">When the server stored it.</param>
/// <param name="Sequence">The server's order of messages, 1, 2, 3, … without gaps.</param>
public sealed record ChatMessage(Guid Id, string User, string Text, DateTimeOffset SentAt, long Sequence);
