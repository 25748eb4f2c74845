namespace Reactive.Edits.Remote;

/// <summary>Runs one connection of a <see cref="RemoteEditServer"/> over an <see cref="IMessageChannel"/>; see <see cref="RemoteEditChannelExtensions"/>.</summary>
internal static class ServerChannelDriver
{
    public static async Task RunAsync(
        RemoteEditServer server,
        RemoteEditConnection connection,
        IMessageChannel channel,
        EditWireProtocol protocol,
        Func<RemoteEditConnection, WireMessage, CancellationToken, ValueTask>? onMessage,
        CancellationToken cancellationToken)
    {
        // The connection's own token stops both loops: closing the connection, from anywhere, ends them, and so does the
        // caller's token, which closes the connection. One registration on the caller's token rather than a token
        // source linked to both: about 220 bytes less for every open connection.
        using var aborting = cancellationToken.UnsafeRegister(static state => ((RemoteEditConnection)state!).Close(), connection);
        try
        {
            var sending = SendLoopAsync(connection, channel, connection.Closed);
            var receiving = ReceiveLoopAsync(server, connection, channel, protocol, onMessage, connection.Closed);
            // A graceful close, or the end of either loop (each says so when it ends), whichever comes first.
            var reason = await connection.Attention.ConfigureAwait(false);
            if (!ReferenceEquals(reason, RemoteEditConnection.LoopEnded))
            {
                await CloseGracefullyAsync(server, connection, channel, reason, sending, receiving, connection.Closed).ConfigureAwait(false);
            }

            connection.Close();
            await Task.WhenAll(sending, receiving).ConfigureAwait(false);
        }
        finally
        {
            connection.Close();
            await ClientChannelDriver.CloseAsync(channel).ConfigureAwait(false);
        }
    }

    // Nothing queued is dropped and the receive is never cancelled (that would abort a WebSocket and lose its close frame):
    // the running edits post their answers, the outbox is sent, the channel's output is closed, and the receive loop
    // ends at the peer's close (or when the transport gives up waiting for it).
    private static async Task CloseGracefullyAsync(
        RemoteEditServer server,
        RemoteEditConnection connection,
        IMessageChannel channel,
        string? reason,
        Task sending,
        Task receiving,
        CancellationToken cancellationToken)
    {
        try
        {
            // Every slot free once: the edits that had started have posted their answers. (From now on the receive loop
            // starts no edit.) The slots are made here if no edit made them: the receive loop may be taking its first.
            var bound = server.Options.MaxConcurrentEditsPerConnection;
            var slots = connection.EditSlots(bound);
            for (var i = 0; i < bound; i++)
            {
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            slots.Release(bound);
            connection.CompleteOutbox();
            await sending.ConfigureAwait(false);
            await channel.CloseOutputAsync(reason, cancellationToken).ConfigureAwait(false);
            await receiving.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The connection was aborted meanwhile.
        }
#pragma warning disable CA1031 // A transport failure while closing ends the connection normally.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static async Task SendLoopAsync(RemoteEditConnection connection, IMessageChannel channel, CancellationToken cancellationToken)
    {
        try
        {
            var outgoing = connection.Outgoing;
            while (await outgoing.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (outgoing.TryRead(out var message))
                {
                    await channel.SendAsync(message, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (MessageChannelOverflowException)
        {
            // The transport's own outbox is full: the peer reads too slowly, like an overflow of the connection's outbox.
            connection.MarkOverflowed();
        }
#pragma warning disable CA1031 // A transport failure ends the connection normally.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            connection.OnLoopEnded();
        }
    }

    private static async Task ReceiveLoopAsync(
        RemoteEditServer server,
        RemoteEditConnection connection,
        IMessageChannel channel,
        EditWireProtocol protocol,
        Func<RemoteEditConnection, WireMessage, CancellationToken, ValueTask>? onMessage,
        CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                ChannelMessage? received;
                try
                {
                    received = await channel.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // Cancellation or a transport failure ends the connection normally.
                catch (Exception)
#pragma warning restore CA1031
                {
                    return;
                }

                if (received is not { } message)
                {
                    return;
                }

                var decoded = protocol.Decode(message);
                switch (decoded.Kind)
                {
                    case WireMessageKind.Edit:
                    case WireMessageKind.UnknownCommand:
                        if (connection.IsClosingGracefully)
                        {
                            // Its answer could not be sent any more: not run, the client resends it on its next connection.
                            break;
                        }

                        var slots = connection.EditSlots(server.Options.MaxConcurrentEditsPerConnection);
                        try
                        {
                            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException)
                        {
                            return;
                        }

                        _ = ExecuteAndReplyAsync(server, connection, protocol, decoded, slots);
                        break;

                    default:
                        // Application messages, malformed input, and answers (ack, reject) a client has no business
                        // sending: the application decides, e.g. answers with an error, so bad input never goes unanswered.
                        if (onMessage is not null)
                        {
                            await onMessage(connection, decoded, cancellationToken).ConfigureAwait(false);
                        }

                        break;
                }
            }
        }
        finally
        {
            connection.OnLoopEnded();
        }
    }

    // The reply is posted only after the run completed, i.e. after the handler posted its effect: the ordering guarantee.
    private static async Task ExecuteAndReplyAsync(RemoteEditServer server, RemoteEditConnection connection, EditWireProtocol protocol, WireMessage edit, SemaphoreSlim slots)
    {
        try
        {
            var request = edit.Request;
            var reply = edit.Kind == WireMessageKind.UnknownCommand
                ? RemoteEditServer.UnknownCommand(request.Id, request.Attempt, string.IsNullOrEmpty(edit.CommandKind) ? "(default)" : edit.CommandKind)
                : await server.ExecuteAsync(request, connection, connection.Closed).ConfigureAwait(false);
            if (reply is { } answer)
            {
                connection.TryPost(protocol.EncodeReply(answer));
            }
        }
        catch (OperationCanceledException) when (connection.Closed.IsCancellationRequested)
        {
            // The connection ended while the edit ran; the ledger has the outcome for the client's resend.
        }
#pragma warning disable CA1031 // Anything else (the server answers a failing ledger itself) leaves the outcome unknown: no answer is sent and the client resends.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            slots.Release();
        }
    }
}
