namespace Reactive.Edits.Remote;

/// <summary>Represents a send refused because the channel's bounded outbox is full: the peer reads too slowly, and the channel is closing.</summary>
/// <remarks>
/// Thrown by <see cref="WebSocketMessageChannel.SendAsync"/> under <see cref="OutboxFullMode.Close"/>. The server's
/// driver (<see cref="RemoteEditChannelExtensions"/>) takes it as the end of the connection and marks the
/// <see cref="RemoteEditConnection"/> as <see cref="RemoteEditConnection.Overflowed"/>.
/// </remarks>
public sealed class MessageChannelOverflowException : IOException
{
    /// <summary>Initializes the exception with a default message.</summary>
    public MessageChannelOverflowException()
        : base("The channel's outbox is full: the peer reads too slowly, and the connection is being closed.")
    {
    }

    /// <summary>Initializes the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public MessageChannelOverflowException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes the exception with a message and the exception that caused it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public MessageChannelOverflowException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
