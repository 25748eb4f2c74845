namespace Reactive.Edits.Remote;

/// <summary>Configures an <see cref="InMemoryEditLedger{TCommand}"/>: how many completed edits it remembers, and for how long.</summary>
/// <remarks>
/// A resend that arrives after its id was forgotten runs again. Keep <see cref="Expiry"/> longer than the clients'
/// <see cref="RemoteEditOptions.GiveUpAfter"/>, or make the effect itself idempotent by edit id (e.g. a message store
/// keyed by edit id), or use a durable <see cref="IEditLedger{TCommand}"/>.
/// </remarks>
public sealed class InMemoryEditLedgerOptions
{
    /// <summary>Gets the options every property of which has its default.</summary>
    public static InMemoryEditLedgerOptions Default { get; } = new();

    /// <summary>Gets the largest number of completed edits remembered; beyond it the oldest completed one is forgotten.</summary>
    /// <value>The default is 10,000. Edits in progress are not counted: they are bounded by the handlers running at once.</value>
    public int Capacity { get; init; } = 10_000;

    /// <summary>Gets how long a completed edit is remembered after it completed, on the ledger's scheduler clock.</summary>
    /// <value>The default is 10 minutes. <see cref="Timeout.InfiniteTimeSpan"/> keeps entries until <see cref="Capacity"/> evicts them.</value>
    public TimeSpan Expiry { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets the clock that measures <see cref="Expiry"/>.</summary>
    /// <value>The default is <see cref="System.TimeProvider.System"/>. A scheduler passed to the ledger's constructor takes precedence.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Capacity, 1, nameof(Capacity));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        if (Expiry <= TimeSpan.Zero && Expiry != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(Expiry), Expiry, "The expiry must be positive or infinite.");
        }
    }
}
