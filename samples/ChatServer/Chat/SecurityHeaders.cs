namespace ChatServer.Chat;

/// <summary>The response headers that limit what a page of the chat may load and who may frame it.</summary>
/// <remarks>
/// Messages are rendered as text, which is the defence against script injection; the Content-Security-Policy is the
/// second line. The Blazor WebAssembly client needs <c>'wasm-unsafe-eval'</c> to compile its runtime and connects to the
/// socket on its own origin (<c>'self'</c> covers <c>ws:</c> and <c>wss:</c> there). It has no inline script or style.
/// </remarks>
public static class SecurityHeaders
{
    /// <summary>The policy sent with every response.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Adds the headers to every response; call it first, so that static files get them too.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Use(static (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            return next(context);
        });
    }
}
