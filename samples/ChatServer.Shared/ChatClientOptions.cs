using System.Net.WebSockets;
using Reactive.Edits.Remote;

namespace ChatServer.Shared;

/// <summary>Settings of a <see cref="ChatClient"/>.</summary>
public sealed class ChatClientOptions
{
    /// <summary>Gets configures each new socket before it connects: cookies and Origin in .NET; nothing in the browser,
    /// which sends the page's cookie and origin itself.</summary>
    /// <value><see langword="null"/>.</value>
    public Action<ClientWebSocketOptions>? ConfigureSocket { get; init; }

    /// <summary>Gets the first reconnect delay; it doubles after each failure up to <see cref="MaxBackoff"/>, shortened by
    /// up to 20 % at random (the library's <see cref="RemoteEditClientConnectionOptions.InitialDelay"/>).</summary>
    /// <value>500 ms.</value>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets the longest reconnect delay (<see cref="RemoteEditClientConnectionOptions.MaxDelay"/>).</summary>
    /// <value>10 seconds.</value>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the remote edit settings (ack timeout, resends, give-up bound).</summary>
    /// <value><see cref="RemoteEditOptions.Default"/>.</value>
    public RemoteEditOptions Remote { get; init; } = RemoteEditOptions.Default;

    /// <summary>Gets where unsent messages (pending or failed sends) are kept, so that they survive a restart of the
    /// client: the browser app passes one over <c>localStorage</c>, so a reload or a closed tab loses nothing.</summary>
    /// <value>A new <see cref="InMemoryUnsettledEditStore"/>: kept for the life of the process only.</value>
    public IUnsettledEditStore UnsentMessages { get; init; } = new InMemoryUnsettledEditStore();

    /// <summary>Gets the clock of the backoff delays and the socket's close timeout.</summary>
    /// <value><see cref="TimeProvider.System"/>.</value>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
