using Reactive.Edits.Remote;

namespace ChatServer.Chat;

/// <summary>Passes text frames through and answers each binary frame with a protocol error instead: the chat protocol
/// is UTF-8 JSON text only, and the library's decoder would otherwise read JSON from a binary frame too.</summary>
/// <param name="inner">The socket's channel.</param>
/// <param name="onBinaryFrame">Answers a refused binary frame (posts an error to the connection's outbox).</param>
internal sealed class TextFramesOnlyChannel(IMessageChannel inner, Action onBinaryFrame) : IMessageChannel
{
    public ValueTask SendAsync(ChannelMessage message, CancellationToken cancellationToken) => inner.SendAsync(message, cancellationToken);

    public async ValueTask<ChannelMessage?> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var message = await inner.ReceiveAsync(cancellationToken);
            if (message is not { Type: ChannelMessageType.Binary })
            {
                return message;
            }
            onBinaryFrame();
        }
    }

    public ValueTask CloseAsync(CancellationToken cancellationToken) => inner.CloseAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
