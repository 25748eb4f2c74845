namespace Reactive.Edits;

/// <summary>Identifies one edit for its whole life: across retries, reconnects and resends it stays the same.</summary>
/// <remarks>
/// The id is the edit's idempotency key: a server that remembers the ids it has applied can answer a resend with the
/// first outcome instead of applying it twice. Ids are generated on the client and are globally unique.
/// </remarks>
/// <param name="Value">The underlying value.</param>
public readonly record struct EditId(Guid Value) : IComparable<EditId>, ISpanFormattable
{
    /// <summary>Creates a new, globally unique id.</summary>
    /// <returns>A fresh id.</returns>
    /// <remarks>A version-4 GUID, like <see cref="Guid.NewGuid"/>'s, whose 122 random bits come from the operating
    /// system's cryptographic generator, so that no one can guess another client's next id.</remarks>
    public static EditId New() => new(RandomIds.NewVersion4());

    /// <summary>Parses an id from its text form (a GUID in any standard format).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The id.</returns>
    /// <exception cref="FormatException"><paramref name="text"/> is not a GUID.</exception>
    public static EditId Parse(string text) => new(Guid.Parse(text));

    /// <summary>Tries to parse an id from its text form.</summary>
    /// <param name="text">The text.</param>
    /// <param name="id">The id, when the text is one.</param>
    /// <returns><see langword="true"/> if <paramref name="text"/> is a GUID.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, out EditId id)
    {
        var ok = Guid.TryParse(text, out var value);
        id = new EditId(value);
        return ok;
    }

    /// <inheritdoc/>
    public int CompareTo(EditId other) => Value.CompareTo(other.Value);

    /// <summary>Returns the id as 32 hex digits with hyphens (GUID "D" format).</summary>
    /// <returns>The text form.</returns>
    public override string ToString() => Value.ToString("D");

    /// <inheritdoc/>
    public string ToString(string? format, IFormatProvider? formatProvider) => Value.ToString(format ?? "D", formatProvider);

    /// <inheritdoc/>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        Value.TryFormat(destination, out charsWritten, format.IsEmpty ? "D" : format);
}
