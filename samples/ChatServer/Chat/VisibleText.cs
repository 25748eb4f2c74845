using System.Globalization;
using System.Text;

namespace ChatServer.Chat;

/// <summary>Tells whether text shows anything: a message or a user name of only spaces, zero-width characters, format
/// controls (bidi overrides, joiners) or combining marks with nothing to combine with displays as nothing.</summary>
internal static class VisibleText
{
    /// <summary>Returns whether <paramref name="text"/> has at least one character that displays a glyph.</summary>
    public static bool HasVisibleCharacter(string? text)
    {
        if (text is null)
        {
            return false;
        }
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsVisible(rune))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsVisible(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.NonSpacingMark
            or UnicodeCategory.EnclosingMark or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned => false,
        _ => !IsBlankLetter(rune.Value),
    };

    // Letters and symbols that render as blank space although their category says otherwise: the Hangul fillers and
    // the blank Braille pattern, the usual ways to post an "empty" name or message past a whitespace check.
    private static bool IsBlankLetter(int value) => value is 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x2800;
}
