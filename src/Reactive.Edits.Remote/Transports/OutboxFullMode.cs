namespace Reactive.Edits.Remote;

/// <summary>Names what a <see cref="WebSocketMessageChannel"/> does when its outbox is full: the peer reads more slowly than it is sent to.</summary>
public enum OutboxFullMode
{
    /// <summary>The connection is closed with 1008 (policy violation), reason <see cref="WebSocketMessageChannel.SlowConsumerCloseReason"/>;
    /// the send that found the outbox full, and every later one, throws <see cref="MessageChannelOverflowException"/>. Nothing is lost silently.</summary>
    Close = 0,

    /// <summary>The message that does not fit is dropped and counted in <see cref="WebSocketMessageChannel.DroppedMessages"/>; the connection stays.
    /// Only for traffic that may be lost (e.g. presence or cursor updates), never for edits and their answers.</summary>
    DropNewest = 1,
}
