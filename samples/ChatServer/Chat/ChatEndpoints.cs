using System.Net.WebSockets;
using System.Security.Claims;
using ChatServer.Auth;
using ChatServer.Shared.Protocol;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace ChatServer.Chat;

/// <summary>Maps the chat's endpoints, <c>/auth</c> and <c>/health</c>, and serves the WebSocket at <see cref="ChatProtocol.SocketPath"/> (see <see cref="Socket"/>).</summary>
public static class ChatEndpoints
{
    public static IEndpointRouteBuilder MapChat(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapAuth();
        // /health: whether the store can keep what the chat acknowledges.
        endpoints.MapChatHealth();
        return endpoints;
    }

    /// <summary>Gets the request delegate of the WebSocket at <see cref="ChatProtocol.SocketPath"/>, which
    /// <see cref="ChatApplication.UseChat"/> serves before the authentication middleware.</summary>
    /// <remarks>The upgrade is authenticated by the session cookie (anonymous may connect to read), see
    /// <see cref="SocketAuthentication"/>; its Origin must be one of <see cref="ChatOptions.AllowedOrigins"/>, or the
    /// site's own when none are configured (<see cref="OriginPolicy"/>).</remarks>
    /// <param name="services">The application's services: the socket uses singletons only, so its request makes no
    /// service scope of its own.</param>
    internal static RequestDelegate Socket(IServiceProvider services) => context => SocketAsync(context, services);

    /// <summary>Whether the request is for the socket (<see cref="ChatProtocol.SocketPath"/>, with or without a trailing slash, as routing would match it).</summary>
    internal static bool IsSocketRequest(HttpContext context) =>
        context.Request.Path.StartsWithSegments(ChatProtocol.SocketPath, out var rest) && rest.Value is null or "" or "/";

    // The socket's request lasts as long as the socket, often hours, so what its delegate keeps while it waits is kept
    // per open connection. The checks and the upgrade nearly always complete at once: then the delegate hands the
    // socket to the room and returns the room's task, keeping no frame of its own (about 200 bytes per connection).
    private static Task SocketAsync(HttpContext context, IServiceProvider services)
    {
        var room = services.GetRequiredService<ChatRoom>();
        var admitting = AdmitAsync(
            context,
            services.GetRequiredService<IServiceScopeFactory>(),
            services.GetRequiredService<ConnectionLimiter>(),
            services.GetRequiredService<SessionSockets>(),
            services.GetRequiredService<ITicketStore>(),
            services.GetRequiredService<IOptions<ChatOptions>>().Value,
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<ChatRoom>>());
        return admitting.IsCompletedSuccessfully ? Run(context, room, admitting.Result) : RunWhenAdmittedAsync(context, room, admitting);
    }

    private static async Task RunWhenAdmittedAsync(HttpContext context, ChatRoom room, Task<Admission?> admitting) =>
        await Run(context, room, await admitting);

    // The host's stopping closes the socket gracefully (1000, the room sees to it); only the host's own abort of the
    // connection (its shutdown timeout passed, or the client vanished) ends it at once. The address is read from the
    // feature: HttpContext.Connection would make a wrapper that the socket's request keeps as long as the socket.
    private static Task Run(HttpContext context, ChatRoom room, Admission? admission) => admission is null
        ? Task.CompletedTask
        : room.RunAsync(admission.Socket, admission.Principal, ClientAddress.Of(context.Features.Get<IHttpConnectionFeature>()?.RemoteIpAddress), context.RequestAborted, admission.Held);

    // The socket, or null when the request was answered or the socket refused and closed here.
    private static async Task<Admission?> AdmitAsync(
        HttpContext context,
        IServiceScopeFactory scopes,
        ConnectionLimiter limiter,
        SessionSockets sessionSockets,
        ITicketStore sessions,
        ChatOptions options,
        TimeProvider time,
        ILogger<ChatRoom> logger)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            ChatLog.NotWebSocket(logger, context.Request.Path);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("This endpoint accepts WebSocket requests only.", context.RequestAborted);
            return null;
        }
        if (OriginPolicy.Refusal(context.Request, options.AllowedOrigins) is { } refusal)
        {
            ChatLog.OriginRefused(logger, refusal);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync(refusal, context.RequestAborted);
            return null;
        }
        // Disposed when this method returns: after the upgrade's answer, which the cookie handler may renew the cookie in.
        await using var authentication = await SocketAuthentication.AuthenticateAsync(context, scopes);
        var principal = authentication.User;
        var user = AuthEndpoints.UserName(principal);
        var lease = user is null ? null : limiter.TryAcquire(user);
        IDisposable? registration = null;
        try
        {
            var socket = await context.WebSockets.AcceptWebSocketAsync();
            if (user is not null && lease is null)
            {
                // Accepted, then closed with a reason: a browser cannot read the status of a refused upgrade, but it
                // does see a close code and reason.
                ChatLog.TooManyConnections(logger, user, limiter.Limit);
                await RefuseAsync(socket, $"Too many connections: at most {limiter.Limit} per user.", options.CloseTimeout, time, WebSocketCloseStatus.PolicyViolation);
                return null;
            }
            var session = SessionClaim.Of(principal);
            registration = session is null ? null : sessionSockets.Register(session, socket);
            // A logout between the upgrade's authentication and the registration found no socket to close: look again.
            if (session is not null && await sessions.RetrieveAsync(session, context, context.RequestAborted) is null)
            {
                await RefuseAsync(socket, SessionSockets.LoggedOutReason, options.CloseTimeout, time, (WebSocketCloseStatus)ChatProtocol.SessionEndedCloseStatus);
                Release(lease, registration);
                return null;
            }
            // Held until the connection ends: the room releases them then.
            return new Admission(socket, principal, lease is null && registration is null ? null : new Held(lease, registration));
        }
        catch
        {
            Release(lease, registration);
            throw;
        }
    }

    private static void Release(IDisposable? lease, IDisposable? registration)
    {
        registration?.Dispose();
        lease?.Dispose();
    }

    private sealed record Admission(WebSocket Socket, ClaimsPrincipal? Principal, IDisposable? Held);

    // The user's connection lease and the session's registration of the socket, released together.
    private sealed class Held(IDisposable? lease, IDisposable? registration) : IDisposable
    {
        public void Dispose() => Release(lease, registration);
    }

    private static async Task RefuseAsync(WebSocket socket, string reason, TimeSpan closeTimeout, TimeProvider time, WebSocketCloseStatus status)
    {
        using var timeout = new CancellationTokenSource(closeTimeout, time);
        try
        {
            await socket.CloseAsync(status, reason, timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // The peer did not complete the close handshake, or is gone: nothing more to tell it.
            socket.Abort();
        }
        finally
        {
            socket.Dispose();
        }
    }
}
