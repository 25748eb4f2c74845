using System.Globalization;

namespace ChatServer.Chat;

/// <summary>Quotes a client's input in an error or a log line: a bounded excerpt with control and format characters
/// replaced, so that an answer never grows with its input and a log line cannot be forged.</summary>
/// <remarks>An error used to quote an unknown <c>type</c> whole, JSON-escaped (6 bytes per <c>&lt;</c>): a 65,011-byte
/// frame was answered with a 390,126-byte one (issue 13), over the 64 KiB a client accepts.</remarks>
internal static class InputExcerpt
{
    /// <summary>The most characters of a client's value quoted in an error: enough to recognise it.</summary>
    public const int ValueLength = 32;

    /// <summary>The most characters of a whole error text sent or logged (the decoder's reasons are shorter).</summary>
    public const int ErrorLength = 300;

    /// <summary>Returns at most <paramref name="maxLength"/> characters of <paramref name="input"/> (and an ellipsis if
    /// it was longer), each control or format character (new lines, bidi overrides, zero-width) replaced by U+FFFD.</summary>
    /// <param name="input">The client's value.</param>
    /// <param name="maxLength">The most characters kept, at least 1.</param>
    /// <returns>The excerpt; empty for <see langword="null"/>.</returns>
    public static string Of(string? input, int maxLength = ValueLength)
    {
        if (string.IsNullOrEmpty(input))
        {
            return string.Empty;
        }
        var length = Math.Min(input.Length, maxLength);
        if (length < input.Length && char.IsHighSurrogate(input[length - 1]))
        {
            // Never cut a surrogate pair in two.
            length--;
        }
        var cut = length < input.Length;
        return string.Create(length + (cut ? 1 : 0), (input, length), static (span, state) =>
        {
            for (var i = 0; i < state.length; i++)
            {
                var c = state.input[i];
                span[i] = char.IsControl(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format ? '\uFFFD' : c;
            }
            if (span.Length > state.length)
            {
                span[^1] = '…';
            }
        });
    }
}
