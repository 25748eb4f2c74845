namespace Reactive.Edits.Remote;

/// <summary>Represents an <see cref="IEditLedger{TCommand}"/>'s answer to an incoming edit: run it, or wait for the outcome of the run that owns it.</summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>ledger state for the id</term><description>claim</description></listheader>
/// <item><term>unknown, or rejected in an earlier attempt</term><description><see cref="IsOwner"/>: the caller runs the command and then calls <see cref="IEditLedger{TCommand}.CompleteAsync"/> (or <see cref="IEditLedger{TCommand}.AbandonAsync"/>)</description></item>
/// <item><term>in progress, same command</term><description>not owner; <see cref="Outcome"/> completes when the owner completes (the resend joins the run)</description></item>
/// <item><term>completed, same command</term><description>not owner; <see cref="Outcome"/> has already completed with the first outcome</description></item>
/// <item><term>same id, different command</term><description>not owner; <see cref="Outcome"/> is a rejection with <see cref="RemoteErrorCodes.ConflictingCommand"/></description></item>
/// </list>
/// <para>If the owner abandons the run, <see cref="Outcome"/> is cancelled: the outcome is unknown and nothing should be answered.</para>
/// </remarks>
public readonly struct EditClaim : IEquatable<EditClaim>
{
    /// <summary>Initializes a claim.</summary>
    /// <param name="isOwner">Whether the caller owns the run.</param>
    /// <param name="outcome">The outcome of the run, completed or to come.</param>
    /// <exception cref="ArgumentNullException"><paramref name="outcome"/> is <see langword="null"/>.</exception>
    public EditClaim(bool isOwner, Task<EditOutcome> outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        IsOwner = isOwner;
        Outcome = outcome;
    }

    /// <summary>Gets a value indicating whether the caller owns the run: it must run the command and complete the claim.</summary>
    public bool IsOwner { get; }

    /// <summary>Gets the outcome of the edit: completes with the first outcome, or is cancelled if the run was abandoned.</summary>
    public Task<EditOutcome> Outcome { get; }

    /// <summary>Compares two claims.</summary>
    /// <param name="left">The first claim.</param>
    /// <param name="right">The second claim.</param>
    /// <returns><see langword="true"/> if both have the same ownership and outcome task.</returns>
    public static bool operator ==(EditClaim left, EditClaim right) => left.Equals(right);

    /// <summary>Compares two claims.</summary>
    /// <param name="left">The first claim.</param>
    /// <param name="right">The second claim.</param>
    /// <returns><see langword="true"/> if they differ.</returns>
    public static bool operator !=(EditClaim left, EditClaim right) => !left.Equals(right);

    /// <inheritdoc/>
    public bool Equals(EditClaim other) => IsOwner == other.IsOwner && ReferenceEquals(Outcome, other.Outcome);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is EditClaim other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(IsOwner, Outcome);
}
