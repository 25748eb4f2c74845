using System.Net.WebSockets;
using ChatServer.Auth;
using ChatServer.Shared.Protocol;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace ChatServer.Chat;

/// <summary>Maps the chat: <c>/auth</c>, the WebSocket at <see cref="ChatProtocol.SocketPath"/>, and <c>/health</c>.</summary>
public static class ChatEndpoints
{
    public static IEndpointRouteBuilder MapChat(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapAuth();
        // The upgrade is authenticated by the session cookie (anonymous may connect to read); its Origin must be one of
        // ChatOptions.AllowedOrigins, or the site's own when none are configured (OriginPolicy).
        endpoints.Map(ChatProtocol.SocketPath, SocketAsync);
        // /health: whether the store can keep what the chat acknowledges.
        endpoints.MapChatHealth();
        return endpoints;
    }

    private static async Task SocketAsync(
        HttpContext context,
        ChatRoom room,
        ConnectionLimiter limiter,
        SessionSockets sessionSockets,
        ITicketStore sessions,
        IOptions<ChatOptions> options,
        TimeProvider time,
        ILogger<ChatRoom> logger)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            ChatLog.NotWebSocket(logger, context.Request.Path);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("This endpoint accepts WebSocket requests only.", context.RequestAborted);
            return;
        }
        if (OriginPolicy.Refusal(context.Request, options.Value.AllowedOrigins) is { } refusal)
        {
            ChatLog.OriginRefused(logger, refusal);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync(refusal, context.RequestAborted);
            return;
        }
        var user = AuthEndpoints.UserName(context.User);
        using var lease = user is null ? null : limiter.TryAcquire(user);
        var socket = await context.WebSockets.AcceptWebSocketAsync();
        if (user is not null && lease is null)
        {
            // Accepted, then closed with a reason: a browser cannot read the status of a refused upgrade, but it
            // does see a close code and reason.
            ChatLog.TooManyConnections(logger, user, limiter.Limit);
            await RefuseAsync(socket, $"Too many connections: at most {limiter.Limit} per user.", options.Value.CloseTimeout, time, WebSocketCloseStatus.PolicyViolation);
            return;
        }
        var session = SessionClaim.Of(context.User);
        using var registration = session is null ? null : sessionSockets.Register(session, socket);
        // A logout between the upgrade's authentication and the registration found no socket to close: look again.
        if (session is not null && await sessions.RetrieveAsync(session, context, context.RequestAborted) is null)
        {
            await RefuseAsync(socket, SessionSockets.LoggedOutReason, options.Value.CloseTimeout, time, (WebSocketCloseStatus)ChatProtocol.SessionEndedCloseStatus);
            return;
        }
        // The host's stopping closes the socket gracefully (1000, the room sees to it); only the host's own abort of the
        // connection (its shutdown timeout passed, or the client vanished) ends it at once.
        await room.RunAsync(socket, context.User, ClientAddress.Of(context.Connection.RemoteIpAddress), context.RequestAborted);
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
