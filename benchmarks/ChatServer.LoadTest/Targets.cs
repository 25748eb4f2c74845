namespace ChatServer.LoadTest;

/// <summary>Starts the server of a target by name, or attaches to the running chat server of <c>--url</c>.</summary>
public static class Targets
{
    public static async Task<ILoadTarget> StartAsync(string name, LoadOptions options, string root) => name switch
    {
        "chat" when options.Url is not null => new ChatTarget(ServerProcess.Attach(new Uri(options.Url))),
        "chat" => await ChatTarget.StartAsync(root, options.Pin),
        "signalr" => await SignalRTarget.StartAsync(root, options.Pin, options.InlineSockets),
        "floor" => await FloorTarget.StartAsync(root, options.Pin, options.CoalesceFloor, options.FloorBatchWindow, options.InlineSockets),
        _ => throw new ArgumentException($"Unknown target '{name}'."),
    };

    /// <summary>Every target in the order they run: the chat, the SignalR baseline, the floor.</summary>
    public static IReadOnlyList<string> All { get; } = ["chat", "signalr", "floor"];

    public static IReadOnlyList<string> Names(LoadOptions options) => options.Target switch
    {
        "all" => All,
        "both" => ["chat", "signalr"],
        var one => [one],
    };
}
