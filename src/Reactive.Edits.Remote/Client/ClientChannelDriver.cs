using System.Threading.Channels;

namespace Reactive.Edits.Remote;

/// <summary>Runs one connection of one or several <see cref="RemoteEditClient{TCommand}"/> over an <see cref="IMessageChannel"/>; see <see cref="RemoteEditChannelExtensions"/> and <see cref="RemoteEditClientConnection"/>.</summary>
internal static class ClientChannelDriver
{
    public static async Task<Exception?> RunAsync(
        IReadOnlyList<ClientBinding> clients,
        IMessageChannel channel,
        EditWireProtocol protocol,
        Func<WireMessage, CancellationToken, ValueTask>? onMessage,
        CancellationToken cancellationToken)
    {
        var queue = Channel.CreateUnbounded<ChannelMessage>(new UnboundedChannelOptions { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var subscriptions = new List<IDisposable>(clients.Count);
        Exception? failure = null;
        try
        {
            foreach (var client in clients)
            {
                subscriptions.Add(client.SubscribeOutgoing(protocol, message => queue.Writer.TryWrite(message)));
            }

            try
            {
                foreach (var client in clients)
                {
                    client.OnConnected();
                }

                var sending = SendLoopAsync(queue.Reader, channel, stop.Token);
                var receiving = ReceiveLoopAsync(clients, channel, protocol, onMessage, stop.Token);
                var first = await Task.WhenAny(sending, receiving).ConfigureAwait(false);
                await stop.CancelAsync().ConfigureAwait(false);
                failure = await first.ConfigureAwait(false);
                var second = await (first == sending ? receiving : sending).ConfigureAwait(false);
                failure ??= second;
            }
            finally
            {
                // Sent edits become unknown before the subscriptions end, so that none is lost in between.
                foreach (var client in clients)
                {
                    client.OnDisconnected();
                }
            }
        }
        finally
        {
            foreach (var subscription in subscriptions)
            {
                subscription.Dispose();
            }

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

    private static async Task<Exception?> SendLoopAsync(ChannelReader<ChannelMessage> queue, IMessageChannel channel, CancellationToken cancellationToken)
    {
        try
        {
            while (await queue.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (queue.TryRead(out var message))
                {
                    await channel.SendAsync(message, cancellationToken).ConfigureAwait(false);
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
        IReadOnlyList<ClientBinding> clients,
        IMessageChannel channel,
        EditWireProtocol protocol,
        Func<WireMessage, CancellationToken, ValueTask>? onMessage,
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
                    // Edit ids are globally unique: the client that tracks the edit takes the reply.
                    foreach (var client in clients)
                    {
                        if (client.OnReply(decoded.Reply))
                        {
                            break;
                        }
                    }

                    break;

                case WireMessageKind.Edit:
                case WireMessageKind.UnknownCommand:
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
