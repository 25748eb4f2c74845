namespace Reactive.Edits.Remote;

/// <summary>Configures a <see cref="RemoteEditServer"/>: how many edits of one connection run at once.</summary>
public sealed class RemoteEditServerOptions
{
    /// <summary>Gets the options every property of which has its default.</summary>
    public static RemoteEditServerOptions Default { get; } = new();

    /// <summary>Gets the most edits of one connection that run at once, when the connection is run by
    /// <see cref="RemoteEditChannelExtensions.RunAsync(RemoteEditServer, RemoteEditConnection, IMessageChannel, EditWireProtocol, Func{RemoteEditConnection, WireMessage, CancellationToken, ValueTask}?, CancellationToken)"/>.</summary>
    /// <value>The default is 1: a connection's edits run one at a time, in arrival order, as SignalR runs a client's hub
    /// invocations. At least 1.</value>
    /// <remarks>
    /// <para>Order guarantee: the edits of one connection <em>start</em> in the order they arrived, whatever the bound.
    /// With a bound of 1 they also <em>finish</em> in that order: each starts after the previous one's answer was posted.
    /// With a larger bound they may finish, and be answered, in any order.</para>
    /// <para>Backpressure: while the bound is reached, the connection's receive loop waits, so a client that sends
    /// faster than its edits run is slowed down instead of queuing unbounded work on the server.</para>
    /// </remarks>
    public int MaxConcurrentEditsPerConnection { get; init; } = 1;

    internal void Validate() => ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentEditsPerConnection, 1, nameof(MaxConcurrentEditsPerConnection));
}
