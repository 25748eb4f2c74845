using System.Threading.Channels;

namespace Reactive.Edits.Remote;

/// <summary>Runs one connection of a <see cref="RemoteEditClient{TCommand}"/> over an <see cref="IMessageChannel"/>; see <see cref="RemoteEditChannelExtensions"/>.</summary>
internal static class ClientChannelDriver<TCommand>
{
    public static async Task<Exception?> RunAsync(
        RemoteEditClient<TCommand> client,
        IMessageChannel channel,
        EditWireProtocol<TCommand> protocol,
        Func<WireMessage<TCommand>, CancellationToken, ValueTask>? onMessage,
        CancellationToken cancellationToken)
    {
        var queue = Channel.CreateUnbounded<EditRequest<TCommand>>(new UnboundedChannelOptions { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? failure = null;
        try
        {
            using (client.Outgoing.Subscribe(request => queue.Writer.TryWrite(request)))
            {
                try
                {
                    client.OnConnected();
                    var sending = SendLoopAsync(queue.Reader, channel, protocol, stop.Token);
                    var receiving = ReceiveLoopAsync(client, channel, protocol, onMessage, stop.Token);
                    var first = await Task.WhenAny(sending, receiving).ConfigureAwait(false);
                    await stop.CancelAsync().ConfigureAwait(false);
                    failure = await first.ConfigureAwait(false);
                    var second = await (first == sending ? receiving : sending).ConfigureAwait(false);
                    failure ??= second;
                }
                finally
                {
                    // Sent edits become unknown before the subscription ends, so that none is lost in between.
                    client.OnDisconnected();
                }
            }
        }
        finally
        {
            queue.Writer.TryComplete();
            await CloseAsync(channel).ConfigureAwait(false);
        }

        return failure;
    }

    internal static async Task CloseAsync(IMessageChannel channel)
    {
        try
        {
            await channel.CloseAsync(CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Closing a channel whose transport already failed may fail in any way; the channel is disposed next regardless.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        await channel.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task<Exception?> SendLoopAsync(ChannelReader<EditRequest<TCommand>> queue, IMessageChannel channel, EditWireProtocol<TCommand> protocol, CancellationToken cancellationToken)
    {
        try
        {
            while (await queue.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (queue.TryRead(out var request))
                {
                    await channel.SendAsync(protocol.EncodeEdit(request), cancellationToken).ConfigureAwait(false);
                }
            }

            return null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
#pragma warning disable CA1031 // A transport failure ends the connection; it is reported to the caller, not thrown.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ex;
        }
    }

    private static async Task<Exception?> ReceiveLoopAsync(
        RemoteEditClient<TCommand> client,
        IMessageChannel channel,
        EditWireProtocol<TCommand> protocol,
        Func<WireMessage<TCommand>, CancellationToken, ValueTask>? onMessage,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            ChannelMessage? received;
            try
            {
                received = await channel.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return null;
            }
#pragma warning disable CA1031 // A transport failure ends the connection; it is reported to the caller, not thrown.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                return ex;
            }

            if (received is not { } message)
            {
                return null;
            }

            var decoded = protocol.Decode(message);
            switch (decoded.Kind)
            {
                case WireMessageKind.Ack:
                case WireMessageKind.Reject:
                    client.OnReply(decoded.Reply);
                    break;

                case WireMessageKind.Edit:
                    // A server does not send edits to a client; there is nothing to do with one.
                    break;

                default:
                    if (onMessage is not null)
                    {
                        await onMessage(decoded, cancellationToken).ConfigureAwait(false);
                    }

                    break;
            }
        }
    }
}
