namespace ChatServer.Chat;

/// <summary>Which pages may open the chat's WebSocket: the origins of <see cref="ChatOptions.AllowedOrigins"/>, or,
/// when none are configured, the site's own origin only.</summary>
/// <remarks>The WebSockets middleware checks a configured list (and answers <c>403</c>), but lets every origin through
/// when the list is empty, and every request without an <c>Origin</c>. A browser always sends <c>Origin</c> on an
/// upgrade, and the cookie would authenticate a socket opened by any site: so this check fails closed in both cases,
/// and a server started without configuration trusts no page but its own.</remarks>
internal static class OriginPolicy
{
    /// <summary>Checks the upgrade request's <c>Origin</c>.</summary>
    /// <returns><see langword="null"/> when the origin may connect; otherwise why not, for the <c>403</c> answer.</returns>
    public static string? Refusal(HttpRequest request, IReadOnlyCollection<string> allowedOrigins)
    {
        string? origin = request.Headers.Origin;
        if (string.IsNullOrEmpty(origin))
        {
            return "The Origin header is required.";
        }
        if (allowedOrigins.Count > 0)
        {
            // Checked by the WebSockets middleware already; checked here too, so the rule holds in one place.
            return allowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase) ? null : NotAllowed(origin);
        }
        // The site's own origin, as the browser names it: the scheme and Host of this very request (behind a proxy, the
        // forwarded ones once the forwarded-headers middleware has applied them).
        var own = $"{request.Scheme}://{request.Host.Value}";
        return string.Equals(origin, own, StringComparison.OrdinalIgnoreCase) ? null : NotAllowed(origin);
    }

    // The origin is quoted bounded: a header is the client's text.
    private static string NotAllowed(string origin) =>
        $"The Origin '{InputExcerpt.Of(origin)}' is not allowed: set Chat:AllowedOrigins to the origins of the pages that may connect.";
}
