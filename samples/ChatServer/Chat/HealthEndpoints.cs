using System.Text;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ChatServer.Chat;

/// <summary>Maps <c>/health</c>: plain text, <c>Healthy</c> (200), <c>Degraded</c> (200: a shared dependency is away, the
/// node still serves) or <c>Unhealthy</c> (503), the last two followed by each failing
/// check's reason. The reasons name files, never where they live or any secret.</summary>
public static class HealthEndpoints
{
    public const string Path = "/health";

    public static IEndpointRouteBuilder MapChatHealth(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapHealthChecks(Path, new HealthCheckOptions { ResponseWriter = WritePlainTextAsync });
        return endpoints;
    }

    private static Task WritePlainTextAsync(HttpContext context, HealthReport report)
    {
        var text = new StringBuilder(report.Status.ToString());
        foreach (var (name, entry) in report.Entries)
        {
            if (entry.Status != HealthStatus.Healthy)
            {
                text.Append($"\n{name}: {entry.Description}");
            }
        }
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text.ToString(), context.RequestAborted);
    }
}
