using System.Diagnostics.CodeAnalysis;
using System.Net.Http.Headers;
using System.Text;

namespace ChatServer.Auth;

/// <summary>Reads the user name and password of an HTTP Basic <c>Authorization</c> header.</summary>
internal static class BasicCredentials
{
    /// <summary>Parses <c>Basic base64(user:password)</c>.</summary>
    /// <param name="header">The header value.</param>
    /// <param name="user">The user name.</param>
    /// <param name="password">The password.</param>
    /// <returns><see langword="true"/> if the header is a well-formed Basic header.</returns>
    public static bool TryParse(string? header, [NotNullWhen(true)] out string? user, [NotNullWhen(true)] out string? password)
    {
        user = null;
        password = null;
        if (!AuthenticationHeaderValue.TryParse(header, out var value)
            || !string.Equals(value.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            || value.Parameter is null)
        {
            return false;
        }
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter));
        }
        catch (FormatException)
        {
            return false;
        }
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }
        user = decoded[..colon];
        password = decoded[(colon + 1)..];
        return true;
    }
}
