namespace Reactive.Edits.Remote;

/// <summary>Represents how a server settled an edit: accepted, or rejected with an error.</summary>
/// <remarks>The default value is an acceptance.</remarks>
public readonly struct EditOutcome : IEquatable<EditOutcome>
{
    private EditOutcome(RemoteError? error) => Error = error;

    /// <summary>Gets the outcome of an accepted edit.</summary>
    public static EditOutcome Accepted => default;

    /// <summary>Gets why the edit was rejected, or <see langword="null"/> if it was accepted.</summary>
    public RemoteError? Error { get; }

    /// <summary>Gets a value indicating whether the edit was accepted.</summary>
    public bool IsAccepted => Error is null;

    /// <summary>Compares two outcomes.</summary>
    /// <param name="left">The first outcome.</param>
    /// <param name="right">The second outcome.</param>
    /// <returns><see langword="true"/> if both are acceptances, or rejections with equal errors.</returns>
    public static bool operator ==(EditOutcome left, EditOutcome right) => left.Equals(right);

    /// <summary>Compares two outcomes.</summary>
    /// <param name="left">The first outcome.</param>
    /// <param name="right">The second outcome.</param>
    /// <returns><see langword="true"/> if they differ.</returns>
    public static bool operator !=(EditOutcome left, EditOutcome right) => !left.Equals(right);

    /// <summary>Creates the outcome of a rejected edit.</summary>
    /// <param name="error">Why it was rejected.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is <see langword="null"/>.</exception>
    public static EditOutcome Rejected(RemoteError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new EditOutcome(error);
    }

    /// <inheritdoc/>
    public bool Equals(EditOutcome other) => Equals(Error, other.Error);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is EditOutcome other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Error?.GetHashCode() ?? 0;

    /// <summary>Returns <c>Accepted</c> or <c>Rejected(code: message)</c>, for diagnostics.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Error is null ? "Accepted" : $"Rejected({Error})";
}
