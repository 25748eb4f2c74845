namespace Reactive.Edits.Remote;

/// <summary>Configures a <see cref="WebSocketMessageChannel"/>: message size, frame types, the bounded outbox and its slow-consumer policy, and the close handshake.</summary>
/// <remarks>
/// The outbox is bounded twice, in messages (<see cref="OutboxCapacity"/>) and in bytes (<see cref="OutboxByteCapacity"/>):
/// many small messages and a few large ones are both held in check. When either bound would be passed,
/// <see cref="OutboxFullMode"/> decides: close the connection (1008) or drop the message.
/// </remarks>
public sealed class WebSocketMessageChannelOptions
{
    /// <summary>Gets the options every property of which has its default.</summary>
    public static WebSocketMessageChannelOptions Default { get; } = new();

    /// <summary>Gets the largest message accepted, in bytes, counted while its fragments arrive; a larger one closes the socket with 1009.</summary>
    /// <value>The default is 65,536 (64 KiB). At least 1, less than <see cref="int.MaxValue"/>.</value>
    public int MaxMessageSize { get; init; } = 64 * 1024;

    /// <summary>Gets a value indicating whether only text messages are accepted: a binary message from the peer closes the socket with 1003 (<see cref="System.Net.WebSockets.WebSocketCloseStatus.InvalidMessageType"/>) and reason <see cref="WebSocketMessageChannel.TextOnlyCloseReason"/>.</summary>
    /// <value>The default is <see langword="false"/>: binary messages are received as <see cref="ChannelMessageType.Binary"/>.</value>
    public bool TextOnly { get; init; }

    /// <summary>Gets the most messages waiting in the outbox to be sent.</summary>
    /// <value>The default is 1,024. At least 1.</value>
    public int OutboxCapacity { get; init; } = 1024;

    /// <summary>Gets the most bytes waiting in the outbox to be sent. A single message larger than this is accepted only into an empty outbox.</summary>
    /// <value>The default is 4,194,304 (4 MiB). At least 1.</value>
    public long OutboxByteCapacity { get; init; } = 4L * 1024 * 1024;

    /// <summary>Gets what happens when a message does not fit in the outbox.</summary>
    /// <value>The default is <see cref="Remote.OutboxFullMode.Close"/>: close with 1008, lose nothing silently.</value>
    public OutboxFullMode OutboxFullMode { get; init; } = OutboxFullMode.Close;

    /// <summary>Gets the longest wait for the peer's close frame once this side has sent its own; after an overflow, the longest time from the overflow until the close is given up (the send in flight and the 1008 close frame included).</summary>
    /// <value>The default is 5 seconds. Not negative.</value>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets the clock of <see cref="CloseTimeout"/>.</summary>
    /// <value>The default is <see cref="System.TimeProvider.System"/>; a <c>FakeTimeProvider</c> in tests.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageSize, 1, nameof(MaxMessageSize));
        ArgumentOutOfRangeException.ThrowIfEqual(MaxMessageSize, int.MaxValue, nameof(MaxMessageSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(OutboxCapacity, 1, nameof(OutboxCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(OutboxByteCapacity, 1, nameof(OutboxByteCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(CloseTimeout, TimeSpan.Zero, nameof(CloseTimeout));
        if (!Enum.IsDefined(OutboxFullMode))
        {
            throw new ArgumentOutOfRangeException(nameof(OutboxFullMode), OutboxFullMode, "Unknown outbox mode.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}
