using System.Security.Claims;
using ChatServer.Shared.Protocol;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Net.Http.Headers;

namespace ChatServer.Auth;

/// <summary>Maps <c>/auth</c> (HTTP Basic, any user name with an empty password), <c>/auth/me</c> and
/// <c>/auth/logout</c>. The session is ASP.NET Core's signed, HTTP-only authentication cookie.</summary>
internal static class AuthEndpoints
{
    /// <summary>The longest user name accepted.</summary>
    public const int MaxUserNameLength = 32;

    private const string Realm = "Basic realm=\"Reactive.Edits chat (any name, empty password)\", charset=\"UTF-8\"";

    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder endpoints)
    {
        var auth = endpoints.MapGroup("/auth");
        auth.MapGet("/", LoginAsync);
        auth.MapPost("/", LoginAsync);
        auth.MapGet("/me", Me);
        auth.MapPost("/logout", (Delegate)LogoutAsync);
        auth.MapGet("/logout", (Delegate)LogoutAsync);
        return endpoints;
    }

    private static async Task<IResult> LoginAsync(HttpContext context, string? returnUrl)
    {
        var navigation = IsNavigation(context.Request);
        if (!BasicCredentials.TryParse(context.Request.Headers.Authorization, out var user, out var password))
        {
            return Refuse(context, navigation, "Log in with HTTP Basic authentication: any user name and an empty password.");
        }
        user = user.Trim();
        if (password.Length != 0)
        {
            return Refuse(context, navigation, "The password must be empty: this demo accepts any user name with an EMPTY password.");
        }
        if (user.Length == 0 || user.Length > MaxUserNameLength || user.Any(char.IsControl))
        {
            return Refuse(context, navigation, $"The user name must have 1 to {MaxUserNameLength} printable characters.");
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        // A browser that followed a link to /auth (and answered the native prompt) goes back to the chat, logged in.
        return navigation
            ? Results.LocalRedirect(IsLocal(returnUrl) ? returnUrl! : "/")
            : Results.Json(new AuthResult(user, null), ChatJsonContext.Default.AuthResult);
    }

    private static IResult Me(HttpContext context) =>
        Results.Json(new AuthResult(UserName(context.User), null), ChatJsonContext.Default.AuthResult);

    private static async Task<IResult> LogoutAsync(HttpContext context)
    {
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return IsNavigation(context.Request) ? Results.LocalRedirect("/") : Results.Json(new AuthResult(null, null), ChatJsonContext.Default.AuthResult);
    }

    /// <summary>Gets the authenticated user name, or <see langword="null"/> for an anonymous principal.</summary>
    public static string? UserName(ClaimsPrincipal? principal) =>
        principal?.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : null;

    // A browser navigation gets the Basic challenge, so it shows its native prompt; a fetch from the login form
    // does not (the page shows the message itself instead of a second, native prompt).
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

    private static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
