namespace ChatServer.LoadTest;

/// <summary>The floor (benchmarks/BroadcastFloor): every received frame broadcast as it is to every socket; what the
/// stack costs with nothing on top. <c>--coalesce-floor</c> starts it with write coalescing, <c>--floor-batch-window</c>
/// with the chat's grouping of what arrives within a window into one frame, <c>--inline-sockets</c> with the chat's
/// inline socket scheduling.</summary>
public sealed class FloorTarget(ServerProcess server) : ILoadTarget
{
    public string Name => "floor";

    public ServerProcess Server => server;

    public static async Task<FloorTarget> StartAsync(string repositoryRoot, bool pin, bool coalesce, TimeSpan batchWindow, bool inlineSockets)
    {
        var assembly = Path.Combine(repositoryRoot, "benchmarks", "BroadcastFloor", "bin", "Release", "net10.0", "BroadcastFloor.dll");
        var server = await ServerProcess.StartAsync(assembly, "/health", _ => new Dictionary<string, string>
        {
            ["Floor__CoalesceWrites"] = coalesce ? "true" : "false",
            ["Floor__BatchWindow"] = batchWindow.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            ["Floor__InlineSocketScheduling"] = inlineSockets ? "true" : "false",
        }, pin);
        return new FloorTarget(server);
    }

    public async Task<ILoadConnection> ConnectAsync(int client, string? user, ILoadSink sink, CancellationToken cancellationToken) =>
        await FloorConnection.OpenAsync(server.Url, client, sink, cancellationToken);

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
