namespace Reactive.Edits.Remote;

/// <summary>Describes the state of a <see cref="RemoteEditClientConnection"/> at one moment, for a connection indicator.</summary>
/// <param name="State">Connecting, connected, disconnected (waiting to retry) or stopped.</param>
/// <param name="Failures">How many connections in a row failed or ended; 0 once connected.</param>
/// <param name="Error">Why the last connection ended or failed; <see langword="null"/> when it was closed without an error, or none did yet.</param>
/// <param name="NextRetryAt">While <see cref="RemoteConnectionState.Disconnected"/>, when the next attempt starts, on the connection's <see cref="TimeProvider"/>.</param>
/// <param name="RetryDelay">While <see cref="RemoteConnectionState.Disconnected"/>, the backoff before the next attempt.</param>
public sealed record RemoteConnectionStatus(RemoteConnectionState State, int Failures, Exception? Error, DateTimeOffset? NextRetryAt, TimeSpan? RetryDelay);
