namespace Reactive.Edits;

/// <summary>Represents a request the edit set's policy refused, e.g. a second request under single-flight.</summary>
public sealed class EditRefusedException : InvalidOperationException
{
    /// <summary>Initializes the exception with the name of the refusing policy.</summary>
    /// <param name="policy">The policy that refused the request.</param>
    public EditRefusedException(EditPolicy policy)
        : base($"The request was refused: policy {policy} allows no more edits while {policy.MaxInFlight} are in flight.")
    {
        Policy = policy;
    }

    /// <summary>Gets the policy that refused the request.</summary>
    public EditPolicy Policy { get; }
}
