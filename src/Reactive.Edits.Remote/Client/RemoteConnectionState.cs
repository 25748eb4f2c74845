namespace Reactive.Edits.Remote;

/// <summary>Names the states of a <see cref="RemoteEditClientConnection"/>.</summary>
public enum RemoteConnectionState
{
    /// <summary>Opening a channel (the first time, or again after a disconnect).</summary>
    Connecting = 0,

    /// <summary>Connected: edits go out, answers and application messages come in.</summary>
    Connected = 1,

    /// <summary>Disconnected, waiting until <see cref="RemoteConnectionStatus.NextRetryAt"/> to connect again; pending edits wait and are resent with the same ids.</summary>
    Disconnected = 2,

    /// <summary>Stopped for good (disposed).</summary>
    Stopped = 3,
}
