using System.Net.WebSockets;
using ChatServer.Auth;
using ChatServer.Shared.Protocol;
using Microsoft.Extensions.Options;

namespace ChatServer.Chat;

/// <summary>Maps the chat: <c>/auth</c>, the WebSocket at <see cref="ChatProtocol.SocketPath"/>, and the demo settings.</summary>
public static class ChatEndpoints
{
    public static IEndpointRouteBuilder MapChat(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapAuth();
        // The upgrade is authenticated by the session cookie (anonymous may connect to read) and a present Origin was
        // checked against ChatOptions.AllowedOrigins by the WebSockets middleware; a missing one is refused here.
        endpoints.Map(ChatProtocol.SocketPath, SocketAsync);
        return endpoints;
    }

    private static async Task SocketAsync(
        HttpContext context,
        ChatRoom room,
        ConnectionLimiter limiter,
        IOptions<ChatOptions> options,
        IHostApplicationLifetime lifetime,
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
        // Browsers always send Origin on a WebSocket upgrade; the middleware lets a request without one through.
        // With an allow-list in force, a missing Origin fails closed: a non-browser client can simply send one.
        if (options.Value.AllowedOrigins.Count > 0 && string.IsNullOrEmpty(context.Request.Headers.Origin))
        {
            ChatLog.OriginMissing(logger);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync("The Origin header is required.", context.RequestAborted);
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
            await RefuseAsync(socket, $"Too many connections: at most {limiter.Limit} per user.", options.Value.CloseTimeout, time);
            return;
        }
        // Stopping closes the socket gracefully (1000); only the host's own abort of the connection (its shutdown
        // timeout passed, or the client vanished) ends it at once.
        await room.RunAsync(socket, context.User, lifetime.ApplicationStopping, context.RequestAborted);
    }

    private static async Task RefuseAsync(WebSocket socket, string reason, TimeSpan closeTimeout, TimeProvider time)
    {
        using var timeout = new CancellationTokenSource(closeTimeout, time);
        try
        {
            await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, reason, timeout.Token);
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
