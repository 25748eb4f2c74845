using System.Security.Claims;
using ChatServer.Chat;
using ChatServer.Shared.Protocol;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Net.Http.Headers;

namespace ChatServer.Auth;

/// <summary>Maps <c>POST /auth</c> (HTTP Basic, any user name with an empty password), <c>GET /auth/me</c> and
/// <c>POST /auth/logout</c>. The cookie carries only a session id; the session is kept on the server
/// (<see cref="MemorySessionStore"/>), so a logout ends it for every copy of the cookie and closes its sockets.</summary>
/// <remarks>
/// <para><b>The demo login lets anyone take any name</b>: there is no password, so a visitor can log in under a victim's
/// name and use its connection allowance and rate budget. A deployment plugs real authentication in here, in
/// <see cref="LoginAsync"/>: check the credentials against a user directory (or replace the endpoint by an external
/// sign-in, e.g. OpenID Connect, registered next to the cookie scheme in <see cref="ChatApplication.AddChat"/>), then
/// sign in with the cookie scheme as below; the rest of the chat only reads the signed-in name.</para>
/// <para>Login and logout change state, so they are POST only, refused from a cross-site page
/// (<see cref="CrossSiteFilter"/>), and logins are rate-limited per client address (<see cref="LoginRateLimit"/>). A GET
/// never signs in or out: a link or an image on a foreign page (<c>http://name:@host/auth</c> supplies the Basic
/// header) must not log the visitor in under another name.</para>
/// </remarks>
internal static class AuthEndpoints
{
    private const string Realm = "Basic realm=\"Reactive.Edits chat (any name, empty password)\", charset=\"UTF-8\"";

    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder endpoints)
    {
        var auth = endpoints.MapGroup("/auth");
        auth.MapPost("/", LoginAsync).AddEndpointFilter<CrossSiteFilter>().RequireRateLimiting(LoginRateLimit.PolicyName);
        auth.MapGet("/me", Me);
        auth.MapPost("/logout", LogoutAsync).AddEndpointFilter<CrossSiteFilter>();
        // Answered explicitly: a GET must not fall through to the client's fallback page, nor sign anyone in or out.
        auth.MapGet("/", static (HttpContext context) => PostOnly(context, "Log in with POST /auth (the chat page's login form): a GET never signs in."));
        auth.MapGet("/logout", static (HttpContext context) => PostOnly(context, "Log out with POST /auth/logout (the chat page's button): a GET never signs out."));
        return endpoints;
    }

    private static async Task<IResult> LoginAsync(HttpContext context, string? returnUrl)
    {
        var navigation = IsNavigation(context.Request);
        if (!BasicCredentials.TryParse(context.Request.Headers.Authorization, out var raw, out var password))
        {
            return Refuse(context, navigation, "Log in with HTTP Basic authentication: any user name and an empty password.");
        }
        if (password.Length != 0)
        {
            return Refuse(context, navigation, "The password must be empty: this demo accepts any user name with an EMPTY password.");
        }
        if (!UserNames.TryNormalize(raw, out var user, out var error))
        {
            return Refuse(context, navigation, error);
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        // A form post (not a fetch) goes back to the chat, logged in.
        return navigation
            ? Results.Redirect(LocalOrRoot(returnUrl))
            : Results.Json(new AuthResult(user, null), ChatJsonContext.Default.AuthResult);
    }

    private static IResult Me(HttpContext context) =>
        Results.Json(new AuthResult(UserName(context.User), null), ChatJsonContext.Default.AuthResult);

    private static async Task<IResult> LogoutAsync(HttpContext context, SessionSockets sockets)
    {
        var session = SessionClaim.Of(context.User);
        // Removes the session from the store: every copy of the cookie stops authenticating.
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        if (session is not null)
        {
            // The sockets the session authenticated would go on as the user: they close with 4401.
            await sockets.CloseSessionAsync(session, UserName(context.User));
        }
        return IsNavigation(context.Request) ? Results.Redirect("/") : Results.Json(new AuthResult(null, null), ChatJsonContext.Default.AuthResult);
    }

    /// <summary>Gets the authenticated user name, or <see langword="null"/> for an anonymous principal.</summary>
    public static string? UserName(ClaimsPrincipal? principal) =>
        principal?.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : null;

    // A fetch from the login form says so (Sec-Fetch-Mode: cors); anything else gets the Basic challenge and redirects.
    private static bool IsNavigation(HttpRequest request) =>
        !request.Headers.TryGetValue("Sec-Fetch-Mode", out var mode) || string.Equals(mode, "navigate", StringComparison.Ordinal);

    private static IResult Refuse(HttpContext context, bool challenge, string message)
    {
        if (challenge)
        {
            context.Response.Headers[HeaderNames.WWWAuthenticate] = Realm;
        }
        return Results.Json(new AuthResult(null, message), ChatJsonContext.Default.AuthResult, statusCode: StatusCodes.Status401Unauthorized);
    }

    private static IResult PostOnly(HttpContext context, string message)
    {
        context.Response.Headers.Allow = HttpMethods.Post;
        return Results.Json(new AuthResult(null, message), ChatJsonContext.Default.AuthResult, statusCode: StatusCodes.Status405MethodNotAllowed);
    }

    // Only a path on this server, in printable ASCII: a control or non-ASCII character cannot go in a Location header
    // (it failed the redirect with a 500), and "//host" or "/\host" would lead to another site. Anything else: "/".
    private static string LocalOrRoot(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && url.All(static c => c is > ' ' and < '\u007F')
            ? url
            : "/";
}
