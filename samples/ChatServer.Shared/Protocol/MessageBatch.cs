namespace ChatServer.Shared.Protocol;

/// <summary>New messages that were stored together, in <see cref="ChatMessage.Sequence"/> order: what one
/// <see cref="ChatProtocol.MessagesType"/> frame carries. A client applies each as if it had come in its own
/// <see cref="ChatProtocol.MessageType"/> frame.</summary>
/// <param name="Messages">The messages, oldest first; at least two.</param>
public sealed record MessageBatch(IReadOnlyList<ChatMessage> Messages);
