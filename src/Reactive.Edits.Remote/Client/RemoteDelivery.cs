namespace Reactive.Edits.Remote;

/// <summary>Represents the delivery of one attempt of a remote edit at one moment: an immutable snapshot.</summary>
public sealed class RemoteDelivery
{
    internal RemoteDelivery(EditId id, int attempt, RemoteDeliveryState state, int sendCount, DateTimeOffset? lastSentAt)
    {
        Id = id;
        Attempt = attempt;
        State = state;
        SendCount = sendCount;
        LastSentAt = lastSentAt;
    }

    /// <summary>Gets the edit's id.</summary>
    public EditId Id { get; }

    /// <summary>Gets the number of the edit's attempt this delivery belongs to.</summary>
    public int Attempt { get; }

    /// <summary>Gets where the attempt is on its way to the server.</summary>
    public RemoteDeliveryState State { get; }

    /// <summary>Gets how many times the attempt has been sent (0 while it is <see cref="RemoteDeliveryState.Queued"/> for the first time).</summary>
    public int SendCount { get; }

    /// <summary>Gets when the attempt was last sent, on the client's scheduler clock; <see langword="null"/> if never.</summary>
    public DateTimeOffset? LastSentAt { get; }

    /// <summary>Returns the id, attempt, state and send count, for diagnostics.</summary>
    /// <returns>A text such as <c>3f2a…#1 Unknown (sent 2x)</c>.</returns>
    public override string ToString() => $"{Id}#{Attempt} {State} (sent {SendCount}x)";

    internal RemoteDelivery With(RemoteDeliveryState state, int sendCount, DateTimeOffset? lastSentAt) =>
        new(Id, Attempt, state, sendCount, lastSentAt);

    internal RemoteDelivery With(RemoteDeliveryState state) => new(Id, Attempt, state, SendCount, LastSentAt);
}
