using ChatServer.Chat;
using ChatServer.Shared.Protocol;
using Microsoft.Extensions.Options;

namespace ChatServer.Auth;

/// <summary>Refuses a cross-site browser request to log in or out (login CSRF: a foreign page must not sign the visitor
/// in under another name, nor out) with 403 and a clear message.</summary>
/// <remarks>
/// <list type="bullet">
/// <item>With an <c>Origin</c> header, it decides: the server's own origin and those in
/// <see cref="ChatOptions.AllowedOrigins"/> pass; any other (<c>null</c> included) is refused.</item>
/// <item>Without one, <c>Sec-Fetch-Site</c> decides: <c>same-origin</c> and <c>none</c> (typed by the user) pass;
/// <c>same-site</c> and <c>cross-site</c> are refused.</item>
/// <item>Without either the request is not from a browser (browsers send at least one on a POST): a script or a
/// command-line client, which no foreign page can drive; it passes.</item>
/// </list>
/// </remarks>
internal sealed class CrossSiteFilter(IOptions<ChatOptions> options, ILogger<CrossSiteFilter> logger) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        if (!IsCrossSite(request, options.Value.AllowedOrigins))
        {
            return next(context);
        }
        string origin = request.Headers.Origin.ToString(), site = request.Headers["Sec-Fetch-Site"].ToString();
        ChatLog.CrossSiteRefused(logger, request.Method, request.Path, InputExcerpt.Of(origin), InputExcerpt.Of(site));
        return ValueTask.FromResult<object?>(Results.Json(
            new AuthResult(null, "Refused a cross-site request: log in and out from the chat's own page (the request's origin is not this server's, nor one of Chat:AllowedOrigins)."),
            ChatJsonContext.Default.AuthResult,
            statusCode: StatusCodes.Status403Forbidden));
    }

    private static bool IsCrossSite(HttpRequest request, List<string> allowed)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0)
        {
            var own = $"{request.Scheme}://{request.Host.Value}";
            return !string.Equals(origin, own, StringComparison.OrdinalIgnoreCase)
                && !allowed.Contains(origin, StringComparer.OrdinalIgnoreCase);
        }
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        return site.Length > 0 && site is not ("same-origin" or "none");
    }
}
