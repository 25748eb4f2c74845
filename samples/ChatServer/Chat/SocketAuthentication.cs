using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;

namespace ChatServer.Chat;

/// <summary>Authenticates a socket's upgrade request with the default scheme, in a service scope of its own that is
/// disposed once the socket is admitted.</summary>
/// <remarks>
/// A socket's request lasts as long as the socket, often hours, and whatever authenticating it leaves in the request
/// stays that long for every open connection: the authentication middleware's frame, the request's service scope with
/// the authentication service, the cookie handler and its results, about 1 KB. So the socket path is served before the
/// authentication middleware (<see cref="ChatApplication.UseChat"/>), and authenticated here, by the same service and
/// scheme, with the application's claims transformation, as the middleware would have.
/// </remarks>
internal sealed class SocketAuthentication : IAsyncDisposable
{
    private readonly AsyncServiceScope _scope;

    private SocketAuthentication(AsyncServiceScope scope, ClaimsPrincipal? user)
    {
        _scope = scope;
        User = user;
    }

    /// <summary>Gets the authenticated user, or <see langword="null"/> for an anonymous request.</summary>
    public ClaimsPrincipal? User { get; }

    /// <summary>Authenticates the request; dispose the result once the upgrade's answer has been sent (the cookie
    /// handler may renew the session cookie in it).</summary>
    public static async Task<SocketAuthentication> AuthenticateAsync(HttpContext context, IServiceScopeFactory scopes)
    {
        var scope = scopes.CreateAsyncScope();
        try
        {
            // The authentication service and its handlers come from the request's services: for this call they are the
            // scope's, and afterwards the request is as it was (request services are made on demand, if ever asked for).
            var requestServices = context.Features.Get<IServiceProvidersFeature>();
            context.Features.Set<IServiceProvidersFeature>(new ServiceProvidersFeature { RequestServices = scope.ServiceProvider });
            AuthenticateResult result;
            try
            {
                result = await context.AuthenticateAsync();
            }
            finally
            {
                context.Features.Set(requestServices);
            }
            return new SocketAuthentication(scope, result.Succeeded ? result.Principal : null);
        }
        catch
        {
            await scope.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _scope.DisposeAsync();
}
