using Microsoft.AspNetCore.Http.Features;

namespace BroadcastFloor;

/// <summary>Wraps the request's upgrade so that the WebSocket ASP.NET Core accepts (with its usual handshake) writes
/// through a <see cref="WriteGroupingStream"/>, which the socket's send loop then finds as a request feature.</summary>
public sealed class WriteGroupingUpgrade(IHttpUpgradeFeature inner) : IHttpUpgradeFeature
{
    public WriteGroupingStream? Stream { get; private set; }

    public bool IsUpgradableRequest => inner.IsUpgradableRequest;

    public async Task<Stream> UpgradeAsync()
    {
        Stream = new WriteGroupingStream(await inner.UpgradeAsync().ConfigureAwait(false));
        return Stream;
    }

    /// <summary>The middleware: must run before <c>UseWebSockets</c>, which takes the upgrade feature from the request.</summary>
    public static Task Install(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.Features.Get<IHttpUpgradeFeature>() is { } upgrade)
        {
            var grouping = new WriteGroupingUpgrade(upgrade);
            context.Features.Set<IHttpUpgradeFeature>(grouping);
            context.Features.Set(grouping);
        }
        return next(context);
    }
}
