using System.Text.RegularExpressions;

namespace ChatServer.Tests.Support;

/// <summary>Reads a server's log for the sockets a user holds there: the chat logs each socket's opening and closing
/// with its connection id and user name (ChatLog events 1 and 2, category <c>ChatServer.Chat.ChatRoom</c>, Information).</summary>
public static partial class ConnectionLog
{
    /// <summary>Gets the ids of the connections of <paramref name="user"/> opened and not yet closed, per
    /// <paramref name="output"/>.</summary>
    public static IReadOnlySet<string> OpenConnectionsOf(string output, string user)
    {
        var open = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match line in Event().Matches(output))
        {
            if (!string.Equals(line.Groups["user"].Value, user, StringComparison.Ordinal))
            {
                continue;
            }
            if (line.Groups["opened"].Success)
            {
                open.Add(line.Groups["id"].Value);
            }
            else
            {
                open.Remove(line.Groups["id"].Value);
            }
        }
        return open;
    }

    // "Connection {id} opened for {user}" or "Connection {id} of {user} closed (outbox overflowed: …)", in log order.
    [GeneratedRegex(@"Connection (?<id>\S+) (?:(?<opened>opened for (?<user>.+?))|of (?<user>.+?) closed \(outbox.*?)\r?$", RegexOptions.Multiline)]
    private static partial Regex Event();
}
