using System.Net.Http.Headers;
using System.Text;

namespace ChatServer.LoadTest;

/// <summary>The chat sample: logs senders in with HTTP Basic (<c>POST /auth</c>, any name, empty password) and opens
/// raw WebSockets at <c>/chat/ws</c> with the server's own origin.</summary>
public sealed class ChatTarget(ServerProcess server, string name = "chat") : ILoadTarget
{
    private DirectoryInfo? _store;
    private readonly HttpClient _http = new(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = server.Url };

    public string Name => name;

    public ServerProcess Server => server;

    /// <summary>Gets or sets a callback for every raw frame of every connection (the soak's presence observer).</summary>
    public Action<int, ReadOnlyMemory<byte>>? OnFrame { get; set; }

    /// <summary>Starts the Release build of the chat on a free port with a fresh store and the load's limits.</summary>
    /// <param name="repositoryRoot">The repository's root.</param>
    /// <param name="pin">Whether to pin the server to core 0.</param>
    /// <param name="settings">More configuration, as environment variables (e.g. the Redis store of a node), or null.</param>
    /// <param name="name">The name in the tables.</param>
    public static async Task<ChatTarget> StartAsync(string repositoryRoot, bool pin, IReadOnlyDictionary<string, string>? settings = null, string name = "chat")
    {
        var assembly = Path.Combine(repositoryRoot, "samples", "ChatServer", "bin", "Release", "net10.0", "ChatServer.dll");
        // A fresh store per run: the durable store (Chat:Store, being added to the server) gets its own empty file in
        // a temporary folder; a server without that option ignores the setting and keeps messages in memory.
        var store = Directory.CreateTempSubdirectory("chat-load-");
        var server = await ServerProcess.StartAsync(assembly, "/auth/me", url => new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
        {
            ["Chat__Store__Path"] = Path.Combine(store.FullName, "chat.db"),
            // The load's clients send the Origin of the server's own URL (as a page served by it would).
            ["Chat__AllowedOrigins__0"] = url.GetLeftPart(UriPartial.Authority),
            // The load sends far faster than a person: lift the per-user rate limit (20 per 10 s by default).
            ["Chat__RateLimitCount"] = "1000000000",
            // Every client of the load comes from the one loopback address, as behind a reverse proxy: no per-address
            // connection limit (100 by default), and no overall limit below what the load opens (by default half the
            // descriptor limit, which counts every open socket: 10,000 under a limit of 20,000, below the density's 10,066).
            ["Chat__MaxConnectionsPerAddress"] = "0",
            ["Chat__MaxConnections"] = "1000000",
            // Likewise no per-address login or send limit: the load logs in hundreds of names from loopback, and sends
            // under all of them.
            ["Chat__LoginRateLimitCount"] = "0",
            ["Chat__AddressRateLimitCount"] = "0",
            // The same log level as the baseline: warnings only, no line per connection or message.
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        }, pin);
        return new ChatTarget(server, name) { _store = store };
    }

    public async Task<ILoadConnection> ConnectAsync(int client, string? user, ILoadSink sink, CancellationToken cancellationToken)
    {
        if (user is null)
        {
            // Readers: the lean client, so that a thousand of them fit on the generator's one core.
            return await ChatConnection.OpenAsync(server.Url, client, null, sink, OnFrame, cancellationToken);
        }
        // Senders (and the soak's logged-in users): the shared ChatClient, edits and acks through the library.
        return await SharedClientConnection.OpenAsync(server.Url, client, await LoginAsync(user, cancellationToken), sink, cancellationToken);
    }

    /// <summary>Logs <paramref name="user"/> in and returns the session cookie (<c>name=value</c>).</summary>
    public async Task<string> LoginAsync(string user, CancellationToken cancellationToken)
    {
        using var login = new HttpRequestMessage(HttpMethod.Post, "/auth");
        // A fetch, not a browser navigation: the server answers with JSON and the cookie instead of a redirect.
        login.Headers.Add("Sec-Fetch-Mode", "cors");
        // No pooled keep-alive connection is left behind: the soak counts the server's sockets.
        login.Headers.ConnectionClose = true;
        login.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":")));
        using var response = await _http.SendAsync(login, cancellationToken);
        response.EnsureSuccessStatusCode();
        return response.Headers.GetValues("Set-Cookie").Select(header => header.Split(';')[0]).Single(pair => pair.StartsWith("chat.session", StringComparison.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await server.DisposeAsync();
        _store?.Delete(recursive: true);
    }
}
