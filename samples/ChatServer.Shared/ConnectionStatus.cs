namespace ChatServer.Shared;

/// <summary>The state of a <see cref="ChatClient"/>'s connection, for a connection indicator.</summary>
/// <param name="State">Connecting, connected, or waiting to reconnect.</param>
/// <param name="Failures">How many connection attempts in a row have failed (0 once connected).</param>
/// <param name="RetryIn">While <see cref="ConnectionState.Waiting"/>, the backoff before the next attempt.</param>
/// <param name="Error">Why the last connection ended or failed, if it did.</param>
public sealed record ConnectionStatus(ConnectionState State, int Failures, TimeSpan? RetryIn, string? Error);

/// <summary>The states of a <see cref="ChatClient"/>'s connection.</summary>
public enum ConnectionState
{
    /// <summary>Opening the WebSocket.</summary>
    Connecting = 0,

    /// <summary>Connected: sends go out, messages and presence come in.</summary>
    Connected = 1,

    /// <summary>Disconnected, waiting for the backoff before reconnecting; pending sends wait and are resent with the same ids.</summary>
    Waiting = 2,

    /// <summary>Stopped for good (disposed).</summary>
    Stopped = 3,
}
