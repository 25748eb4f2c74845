using ChatServer.Auth;
using ChatServer.Shared.Protocol;

namespace ChatServer.Chat;

/// <summary>Maps the chat: <c>/auth</c>, the WebSocket at <see cref="ChatProtocol.SocketPath"/>, and the demo settings.</summary>
public static class ChatEndpoints
{
    public static IEndpointRouteBuilder MapChat(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapAuth();
        // The upgrade is authenticated by the session cookie (anonymous may connect to read) and its Origin was
        // checked against ChatOptions.AllowedOrigins by the WebSockets middleware.
        endpoints.Map(ChatProtocol.SocketPath, SocketAsync);
        return endpoints;
    }

    private static async Task SocketAsync(HttpContext context, ChatRoom room, IHostApplicationLifetime lifetime, ILogger<ChatRoom> logger)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            ChatLog.NotWebSocket(logger, context.Request.Path);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("This endpoint accepts WebSocket requests only.", context.RequestAborted);
            return;
        }
        var socket = await context.WebSockets.AcceptWebSocketAsync();
        await room.RunAsync(socket, context.User, lifetime.ApplicationStopping);
    }
}
