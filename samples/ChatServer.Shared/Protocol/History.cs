namespace ChatServer.Shared.Protocol;

/// <summary>The recent messages, oldest first, sent once right after <see cref="Welcome"/>.</summary>
/// <param name="Messages">The messages.</param>
public sealed record History(IReadOnlyList<ChatMessage> Messages);
