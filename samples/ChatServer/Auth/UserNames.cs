using System.Diagnostics.CodeAnalysis;
using System.Text;
using ChatServer.Chat;

namespace ChatServer.Auth;

/// <summary>What a user name may be, and when two names are the same user.</summary>
/// <remarks>
/// A name is trimmed and normalized to NFC, so that "Zoe" + combining acute and "Zoé" are one name; it must show at
/// least one visible character and hold no control or bidirectional formatting character ("\u202Enimda" displays as
/// "admin"). Names are compared case-insensitively (<see cref="Comparer"/>) wherever a user is identified: its
/// connection limit, its rate budget and its presence entry. Look-alikes across scripts (Cyrillic "а" for Latin "a")
/// remain distinct names.
/// </remarks>
internal static class UserNames
{
    /// <summary>The longest user name accepted, in UTF-16 code units after normalization.</summary>
    public const int MaxLength = 32;

    /// <summary>Gets the comparer that decides whether two (normalized) names are the same user.</summary>
    public static StringComparer Comparer => StringComparer.OrdinalIgnoreCase;

    /// <summary>Normalizes <paramref name="raw"/> into a user name, or says why it cannot be one.</summary>
    /// <param name="raw">The name as sent.</param>
    /// <param name="name">The trimmed, NFC-normalized name.</param>
    /// <param name="error">Why the name is refused.</param>
    /// <returns><see langword="true"/> if the name is accepted.</returns>
    public static bool TryNormalize(string raw, [NotNullWhen(true)] out string? name, [NotNullWhen(false)] out string? error)
    {
        name = null;
        string normalized;
        try
        {
            normalized = raw.Trim().Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            // An unpaired surrogate: not text at all.
            error = "The user name is not valid Unicode text.";
            return false;
        }
        if (normalized.Length == 0 || normalized.Length > MaxLength || normalized.Any(char.IsControl))
        {
            error = $"The user name must have 1 to {MaxLength} printable characters.";
            return false;
        }
        if (normalized.Any(IsBidiControl))
        {
            error = "The user name must not contain bidirectional control characters (U+202A to U+202E, U+2066 to U+2069, U+200E, U+200F, U+061C): they make a name display as another.";
            return false;
        }
        if (!VisibleText.HasVisibleCharacter(normalized))
        {
            error = "The user name must have at least one visible character, not only spaces, invisible or zero-width characters.";
            return false;
        }
        name = normalized;
        error = null;
        return true;
    }

    private static bool IsBidiControl(char c) => c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u200E' or '\u200F' or '\u061C';
}
