using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using ChatServer.Chat;
using ChatServer.Shared.Protocol;
using Microsoft.AspNetCore.RateLimiting;

namespace ChatServer.Auth;

/// <summary>The per-address limit on logins (<see cref="ChatOptions.LoginRateLimitCount"/> per
/// <see cref="ChatOptions.LoginRateLimitWindow"/>), with ASP.NET Core's rate limiting middleware: one more login is
/// answered 429 with <c>Retry-After</c> (whole seconds until the window ends) and a message.</summary>
/// <remarks>A fixed window per client address; requests without an IP address (a Unix socket) are not limited, nor any
/// when the count is 0 (behind a reverse proxy every request has the proxy's address: limit per client there).</remarks>
internal static class LoginRateLimit
{
    /// <summary>The name of the policy, for <c>RequireRateLimiting</c>.</summary>
    public const string PolicyName = "chat.login";

    /// <summary>Adds the policy and the answer to a refused login.</summary>
    public static void Configure(RateLimiterOptions limiter, ChatOptions options, ILogger logger)
    {
        int limit = options.LoginRateLimitCount;
        var window = options.LoginRateLimitWindow;
        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        limiter.AddPolicy(PolicyName, context =>
            limit <= 0 || ClientAddress.Of(context.Connection.RemoteIpAddress) is not { } address
                ? RateLimitPartition.GetNoLimiter(IPAddress.None)
                : RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limit,
                    Window = window,
                    QueueLimit = 0,
                }));
        limiter.OnRejected = async (context, cancellationToken) =>
        {
            var response = context.HttpContext.Response;
            if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
            {
                response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            }
            ChatLog.LoginRateLimited(logger, context.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "(none)", limit, window);
            await response.WriteAsJsonAsync(
                new AuthResult(null, $"Too many logins from your address: at most {limit} per {window.TotalSeconds:0.#} seconds. Retry after the time in Retry-After."),
                ChatJsonContext.Default.AuthResult,
                cancellationToken: cancellationToken);
        };
    }
}
