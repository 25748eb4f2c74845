namespace ChatServer.Client.Components;

/// <summary>Quotes a message's text in a label or an announcement, e.g. <c>“hello”</c>, shortened so that a long
/// message does not make a button's spoken name as long as the message.</summary>
public static class MessageQuote
{
    /// <summary>The most characters of the text quoted before it is cut with an ellipsis.</summary>
    public const int MaxLength = 30;

    /// <summary>Returns <paramref name="text"/> in curly quotes, cut after <see cref="MaxLength"/> characters (on one line).</summary>
    public static string Of(string text)
    {
        var line = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return line.Length <= MaxLength ? $"“{line}”" : $"“{line[..MaxLength].TrimEnd()}…”";
    }
}
