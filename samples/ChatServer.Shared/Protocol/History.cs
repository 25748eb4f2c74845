namespace ChatServer.Shared.Protocol;

/// <summary>The recent messages, oldest first, sent right after <see cref="Welcome"/>: one page of them.</summary>
/// <param name="Messages">The messages of this page.</param>
/// <param name="More">Whether more pages follow. A history larger than <see cref="ChatProtocol.MaxFrameSize"/> comes
/// as several frames, and the client applies them together once the last (<see langword="false"/>) has arrived.</param>
public sealed record History(IReadOnlyList<ChatMessage> Messages, bool More = false);
