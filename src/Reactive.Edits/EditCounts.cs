namespace Reactive.Edits;

/// <summary>Counts the edits of an <see cref="EditSet{T}"/> by state.</summary>
/// <param name="Pending">Edits pending, started or waiting.</param>
/// <param name="Waiting">Pending edits not yet started, waiting behind the policy.</param>
/// <param name="Rejected">Failed edits kept for retry or discard.</param>
public readonly record struct EditCounts(int Pending, int Waiting, int Rejected)
{
    /// <summary>Gets the counts of an empty set.</summary>
    public static EditCounts Zero => default;

    /// <summary>Gets the number of pending edits that have been started.</summary>
    public int InFlight => Pending - Waiting;

    /// <summary>Gets a value indicating whether any edit is pending.</summary>
    public bool IsBusy => Pending > 0;
}
