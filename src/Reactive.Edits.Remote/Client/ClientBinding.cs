namespace Reactive.Edits.Remote;

/// <summary>Binds one <see cref="RemoteEditClient{TCommand}"/> to a connection that carries several, whatever its command type.</summary>
internal abstract class ClientBinding
{
    public static ClientBinding For<TCommand>(RemoteEditClient<TCommand> client, EditWireProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!protocol.Carries<TCommand>())
        {
            throw new ArgumentException($"The protocol has no command kind for {typeof(TCommand).Name}: add it with WithCommand.", nameof(client));
        }

        return new Typed<TCommand>(client);
    }

    // Encodes each envelope the client sends and hands it to the connection's send queue.
    public abstract IDisposable SubscribeOutgoing(EditWireProtocol protocol, Action<ChannelMessage> send);

    public abstract void OnConnected();

    public abstract void OnDisconnected();

    public abstract bool OnReply(EditReply reply);

    private sealed class Typed<TCommand>(RemoteEditClient<TCommand> client) : ClientBinding
    {
        public override IDisposable SubscribeOutgoing(EditWireProtocol protocol, Action<ChannelMessage> send) =>
            client.Outgoing.Subscribe(request => send(protocol.EncodeEdit(request)));

        public override void OnConnected() => client.OnConnected();

        public override void OnDisconnected() => client.OnDisconnected();

        public override bool OnReply(EditReply reply) => client.OnReply(reply);
    }
}
