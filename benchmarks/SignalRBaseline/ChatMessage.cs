namespace SignalRBaseline;

/// <summary>The same shape as the chat sample's <c>ChatMessage</c>, so both servers put the same bytes of payload on the wire.</summary>
public sealed record ChatMessage(Guid Id, string User, string Text, DateTimeOffset SentAt, long Sequence);
