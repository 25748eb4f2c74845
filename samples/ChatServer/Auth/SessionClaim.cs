using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace ChatServer.Auth;

/// <summary>The claim that names a user's server-side session, so that what the session authenticated (its sockets)
/// can be found when it ends. A session store records it in every ticket it stores.</summary>
internal static class SessionClaim
{
    /// <summary>The claim type.</summary>
    public const string Type = "chat.session-id";

    /// <summary>Makes a new session id: 128 random bits, since the id is the session (the cookie that carries it is
    /// also encrypted and signed by Data Protection).</summary>
    public static string NewId() => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    /// <summary>Gets the session id of an authenticated principal, or <see langword="null"/>.</summary>
    public static string? Of(ClaimsPrincipal? principal) =>
        principal?.Identity is { IsAuthenticated: true } ? principal.FindFirst(Type)?.Value : null;

    /// <summary>Returns a copy of <paramref name="ticket"/> whose identity carries <paramref name="sessionId"/> (and no other session id).</summary>
    public static AuthenticationTicket With(AuthenticationTicket ticket, string sessionId)
    {
        var identities = ticket.Principal.Identities.Select(static identity => identity.Clone()).ToList();
        foreach (var identity in identities)
        {
            foreach (var stale in identity.FindAll(Type).ToList())
            {
                identity.RemoveClaim(stale);
            }
        }
        identities[0].AddClaim(new Claim(Type, sessionId));
        return new AuthenticationTicket(new ClaimsPrincipal(identities), ticket.Properties, ticket.AuthenticationScheme);
    }
}
