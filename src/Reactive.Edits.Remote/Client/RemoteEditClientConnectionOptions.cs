namespace Reactive.Edits.Remote;

/// <summary>Configures a <see cref="RemoteEditClientConnection"/>: the reconnect backoff, its jitter, the clock, and where application messages go.</summary>
/// <remarks>
/// After the <em>n</em>-th failure in a row the connection waits
/// <c>min(InitialDelay × 2^(n−1), MaxDelay) × (1 − JitterFraction × r)</c>, with <c>r</c> drawn from
/// <see cref="Random"/> in [0, 1): exponential backoff, never longer than <see cref="MaxDelay"/>, shortened at random so
/// that many clients dropped at once (a server restart) do not all come back at the same moment.
/// </remarks>
public sealed class RemoteEditClientConnectionOptions
{
    /// <summary>Gets the options every property of which has its default.</summary>
    public static RemoteEditClientConnectionOptions Default { get; } = new();

    /// <summary>Gets the delay before the first reconnect; it doubles after each failure in a row, up to <see cref="MaxDelay"/>.</summary>
    /// <value>The default is 500 ms. Not negative.</value>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets the longest delay between two attempts.</summary>
    /// <value>The default is 30 seconds. Not less than <see cref="InitialDelay"/>.</value>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the largest share of a delay cut off at random.</summary>
    /// <value>The default is 0.2 (a delay is 80 % to 100 % of its backoff). Between 0 (no jitter) and 1.</value>
    public double JitterFraction { get; init; } = 0.2;

    /// <summary>Gets the source of the jitter.</summary>
    /// <value>The default is <see langword="null"/>: <see cref="System.Random.Shared"/>. A seeded <see cref="System.Random"/> in tests.</value>
    public Random? Random { get; init; }

    /// <summary>Gets the clock of the delays and of <see cref="RemoteConnectionStatus.NextRetryAt"/>.</summary>
    /// <value>The default is <see cref="System.TimeProvider.System"/>; a <c>FakeTimeProvider</c> in tests.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Gets the callback of application messages (any <c>type</c> but the protocol's own) and malformed input, on the receive loop, one at a time.</summary>
    /// <value>The default is <see langword="null"/>: such messages are ignored. An exception it throws ends the connection, which reconnects.</value>
    public Func<WireMessage, CancellationToken, ValueTask>? OnMessage { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(InitialDelay, TimeSpan.Zero, nameof(InitialDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelay, InitialDelay, nameof(MaxDelay));
        if (!(JitterFraction is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(JitterFraction), JitterFraction, "The jitter fraction must be between 0 and 1.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}
