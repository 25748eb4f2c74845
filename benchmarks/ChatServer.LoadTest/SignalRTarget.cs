using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace ChatServer.LoadTest;

/// <summary>The SignalR baseline (benchmarks/SignalRBaseline): WebSockets transport without negotiation, the hub's
/// <c>Send</c> return value as the ack, the same message shape. Senders are full HubConnections (as the chat's senders
/// are the full ChatClient); readers are lean protocol readers (as the chat's are). <c>--inline-sockets</c> starts it
/// with the chat's inline socket scheduling.</summary>
public sealed class SignalRTarget(ServerProcess server) : ILoadTarget
{
    public string Name => "signalr";

    public ServerProcess Server => server;

    public static async Task<SignalRTarget> StartAsync(string repositoryRoot, bool pin, bool inlineSockets)
    {
        var assembly = Path.Combine(repositoryRoot, "benchmarks", "SignalRBaseline", "bin", "Release", "net10.0", "SignalRBaseline.dll");
        var server = await ServerProcess.StartAsync(assembly, "/health", _ => new Dictionary<string, string>
        {
            ["Baseline__InlineSocketScheduling"] = inlineSockets ? "true" : "false",
        }, pin);
        return new SignalRTarget(server);
    }

    public async Task<ILoadConnection> ConnectAsync(int client, string? user, ILoadSink sink, CancellationToken cancellationToken)
    {
        var hubPath = "/chat?user=" + Uri.EscapeDataString(user ?? string.Empty);
        if (user is null)
        {
            // Readers: the lean JSON-protocol reader, as lean as the chat's readers.
            return await SignalRReaderConnection.OpenAsync(server.Url, hubPath, client, sink, cancellationToken);
        }
        var url = new Uri(server.Url, hubPath);
        var hub = new HubConnectionBuilder()
            .WithUrl(url, HttpTransportType.WebSockets, options => options.SkipNegotiation = true)
            .Build();
        // As tolerant as the chat server's keep-alive (15 s ping + 15 s timeout) so that neither side is judged on it.
        hub.ServerTimeout = TimeSpan.FromSeconds(30);
        var connection = new SignalRConnection(hub, client, sink);
        hub.On<WireMessage>("message", message => sink.OnMessage(client, message.Text));
        hub.Closed += connection.OnClosedAsync;
        await hub.StartAsync(cancellationToken);
        return connection;
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();

    /// <summary>The message shape both servers send (the chat sample's ChatMessage).</summary>
    public sealed record WireMessage(Guid Id, string User, string Text, DateTimeOffset SentAt, long Sequence);
}
