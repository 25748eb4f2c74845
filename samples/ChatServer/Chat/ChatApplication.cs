using ChatServer.Auth;
using ChatServer.Presence;
using ChatServer.Shared.Protocol;
using ChatServer.Storage;
using ChatServer.Storage.Redis;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ChatServer.Chat;

/// <summary>Registers and wires the chat, so that <c>Program.cs</c> and the tests compose the same host.</summary>
public static class ChatApplication
{
    /// <summary>Registers the chat's options, services and the cookie authentication.</summary>
    public static WebApplicationBuilder AddChat(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<ChatOptions>(builder.Configuration.GetSection(ChatOptions.Section));
        // A limit set to nothing would refuse every connection or fail each one: say so at startup instead.
        builder.Services.AddOptions<ChatOptions>()
            .Validate(static o => o.MaxFrameSize is >= 1 and < int.MaxValue, "Chat:MaxFrameSize must be at least 1 byte.")
            .Validate(static o => o.MaxConnectionsPerUser >= 1, "Chat:MaxConnectionsPerUser must be at least 1.")
            .Validate(static o => o.MaxMessageLength >= 1 && MessageFrameBound(o.MaxMessageLength) <= Math.Min(o.MaxFrameSize, ChatProtocol.MaxFrameSize), MessageLengthMessage)
            .Validate(static o => o.HandshakeTimeout > TimeSpan.Zero, "Chat:HandshakeTimeout must be positive.")
            .Validate(static o => o.SendBatchWindow >= TimeSpan.Zero && o.SendBatchWindow <= TimeSpan.FromSeconds(1), "Chat:SendBatchWindow must be from 0 to 1 second.")
            .Validate(static o => o.MaxBadFrames >= 0, "Chat:MaxBadFrames must not be negative.")
            .Validate(static o => o.MaxConnections is null or >= 1, "Chat:MaxConnections must be at least 1, or absent (half the descriptor limit).")
            .Validate(static o => o.MaxConnectionsPerAddress >= 0, "Chat:MaxConnectionsPerAddress must not be negative (0: no limit).")
            .Validate(static o => o.AddressRateLimitCount >= 0, "Chat:AddressRateLimitCount must not be negative (0: no limit).")
            .Validate(static o => o.LoginRateLimitCount >= 0, "Chat:LoginRateLimitCount must not be negative (0: no limit).")
            .Validate(static o => o.LoginRateLimitWindow > TimeSpan.Zero, "Chat:LoginRateLimitWindow must be positive.")
            .Validate(static o => o.SessionTimeout > TimeSpan.Zero, "Chat:SessionTimeout must be positive.")
            .Validate(static o => o.MaxSessions >= 1, "Chat:MaxSessions must be at least 1.")
            .Validate(static o => o.NodeHeartbeat > TimeSpan.Zero && o.NodeTimeout > o.NodeHeartbeat, "Chat:NodeHeartbeat must be positive and Chat:NodeTimeout longer than it.")
            .Validate(static o => o.Store.Kind != StoreKind.Redis || !string.IsNullOrWhiteSpace(o.Redis), "Chat:Store:Kind=Redis needs Chat:Redis, the Redis connection string (e.g. 127.0.0.1:6379).")
            .Validate(static o => o.Store.RedisRetryInterval > TimeSpan.Zero && o.Store.RedisPollInterval > TimeSpan.Zero, "Chat:Store:RedisRetryInterval and Chat:Store:RedisPollInterval must be positive.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddChatStorage();
        builder.Services.AddSingleton<SendValidator>();
        builder.Services.AddSingleton<PresenceTracker>();
        builder.Services.AddSingleton<ChatRoom>();
        builder.Services.AddSingleton<ConnectionLimiter>();
        builder.Services.AddSingleton<TcpConnectionLimiter>();
        builder.Services.AddSingleton<SessionSockets>();
        // With Chat:Redis, the state other than messages is shared by every node (Storage/Redis/SharedStateServices.cs).
        builder.Services.AddChatSharedState();
        builder.Services.AddRateLimiter(static _ => { });
        builder.Services.AddOptions<RateLimiterOptions>()
            .Configure<IOptions<ChatOptions>, ILoggerFactory>(static (limiter, chat, logs) =>
                LoginRateLimit.Configure(limiter, chat.Value, logs.CreateLogger(typeof(LoginRateLimit))));
        builder.Services.AddOptions<SocketTransportOptions>()
            .Configure<IOptions<ChatOptions>>(static (transport, chat) =>
                transport.UnsafePreferInlineScheduling = chat.Value.InlineSocketScheduling);
        builder.Services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<ChatOptions>, TcpConnectionLimiter>(static (kestrel, chat, connections) =>
            {
                var options = chat.Value;
                // A client that opens a connection and never finishes its request (slowloris) is cut off: Kestrel's
                // request-headers timeout covers the upgrade request of the socket. Before the first byte (and between
                // requests) the keep-alive timeout applies instead, 130 s by default: a connection that never sends a
                // byte would be held that long.
                kestrel.Limits.RequestHeadersTimeout = options.HandshakeTimeout;
                kestrel.Limits.KeepAliveTimeout = options.HandshakeTimeout;
                // Connections must not take every descriptor: over the limit, in all or per client address, a new one is
                // closed at once, before any byte is read. The limiter counts a socket for as long as it is open, which
                // Kestrel's MaxConcurrentConnections does not (it stops counting a connection once it is upgraded);
                // Kestrel's MaxConcurrentUpgradedConnections is left unset too: over it the upgrade throws, a 500.
                kestrel.ConfigureEndpointDefaults(listen => listen.Use(connections.Wrap));
            });
        // The one place where authentication is registered: the demo's login (AuthEndpoints, any name) signs in with
        // this cookie scheme. Real authentication replaces the login endpoint's check, or adds its scheme here (e.g.
        // AddOpenIdConnect) and signs in with the cookie scheme from it; the chat reads only the signed-in name.
        builder.Services
            .AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                // ASP.NET Core's cookie: signed and encrypted by Data Protection, HTTP-only, same-site. It carries only
                // the session id (SessionStore, below): the session itself is on the server, and a logout ends it.
                options.Cookie.Name = "chat.session";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.SlidingExpiration = true;
                // An API: answer 401 instead of redirecting to a login page.
                options.Events.OnRedirectToLogin = static context =>
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                };
            });
        builder.Services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<ITicketStore, IOptions<ChatOptions>>(static (cookie, sessions, chat) =>
            {
                cookie.SessionStore = sessions;
                cookie.ExpireTimeSpan = chat.Value.SessionTimeout;
            });
        return builder;
    }

    // JSON may spell a character in 6 bytes (\uXXXX; a surrogate pair is two such), and a message frame carries at most
    // 1,536 bytes besides its text (ids, a user name of at most 32 characters, the times, the revision, up to 16 edit ids,
    // the envelope). Every message must fit one frame both ways: a client's send under Chat:MaxFrameSize, the broadcast under the client's limit.
    private const int BytesPerCharacter = 6;
    private const int MessageEnvelopeBytes = 1536;

    private static readonly string MessageLengthMessage =
        $"Chat:MaxMessageLength must be at least 1, and a message must fit in one frame: at most (Chat:MaxFrameSize - {MessageEnvelopeBytes}) / {BytesPerCharacter} characters, " +
        $"and at most {(ChatProtocol.MaxFrameSize - MessageEnvelopeBytes) / BytesPerCharacter:N0} since a client accepts frames of up to {ChatProtocol.MaxFrameSize:N0} bytes.";

    private static long MessageFrameBound(int maxMessageLength) => ((long)maxMessageLength * BytesPerCharacter) + MessageEnvelopeBytes;

    /// <summary>Adds the WebSockets middleware with keep-alive and the allowed origins, the socket at <see cref="ChatProtocol.SocketPath"/>, the rate limiter and authentication.</summary>
    public static WebApplication UseChat(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<IOptions<ChatOptions>>().Value;
        var kestrel = app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;
        var connections = app.Services.GetRequiredService<TcpConnectionLimiter>();
        ChatLog.ConnectionLimits(
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ChatApplication)),
            connections.Limit > 0 ? connections.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture) : "unlimited",
            connections.PerAddressLimit,
            kestrel.Limits.RequestHeadersTimeout);
        var webSockets = new WebSocketOptions
        {
            KeepAliveInterval = options.KeepAliveInterval,
            // A peer that does not answer a ping within this time is aborted: an abrupt disconnect ends presence.
            KeepAliveTimeout = options.KeepAliveTimeout,
        };
        foreach (var origin in options.AllowedOrigins)
        {
            webSockets.AllowedOrigins.Add(origin);
        }
        app.UseWebSockets(webSockets);
        // The socket, before the authentication middleware: it authenticates its upgrade itself and keeps nothing of it
        // while open (SocketAuthentication), where the middleware's state would stay for as long as the socket.
        app.MapWhen(ChatEndpoints.IsSocketRequest, static socket => socket.Run(ChatEndpoints.Socket(socket.ApplicationServices)));
        // Before authentication: a refused login costs no session lookup.
        app.UseRateLimiter();
        app.UseAuthentication();
        return app;
    }
}
