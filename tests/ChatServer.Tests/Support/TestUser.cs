using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using ChatServer.Shared;

namespace ChatServer.Tests.Support;

/// <summary>A user of a test host: a cookie jar, logged in through <c>/auth</c> (or anonymous), and the clients it opens.</summary>
public sealed class TestUser : IAsyncDisposable
{
    private readonly Uri _address;
    private readonly List<IAsyncDisposable> _owned = [];

    private TestUser(Uri address, string? name)
    {
        _address = address;
        Name = name;
        Http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = address };
    }

    public string? Name { get; }

    public CookieContainer Cookies { get; } = new();

    public HttpClient Http { get; }

    public static Task<TestUser> LoginAsync(ChatHost host, string name) => LoginAsync(host.Address, name);

    /// <summary>Logs in to the server at <paramref name="address"/>, e.g. one in a separate process.</summary>
    public static async Task<TestUser> LoginAsync(Uri address, string name)
    {
        var user = new TestUser(address, name);
        using var response = await user.Http.SendAsync(BasicLogin(name, string.Empty));
        response.StatusCode.Should().Be(HttpStatusCode.OK, "an empty password logs in");
        return user;
    }

    public static TestUser Anonymous(ChatHost host) => new(host.Address, null);

    public static TestUser Anonymous(Uri address) => new(address, null);

    public static HttpRequestMessage BasicLogin(string name, string password)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/auth");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{name}:{password}")));
        // As the client's login form does with fetch: no native prompt wanted.
        request.Headers.Add("Sec-Fetch-Mode", "cors");
        return request;
    }

    /// <summary>Opens a <see cref="ChatClient"/> with this user's cookie and the allowed origin, and waits for its history.</summary>
    public async Task<ChatClient> ConnectAsync()
    {
        var client = new ChatClient(_address, new ChatClientOptions
        {
            ConfigureSocket = ConfigureSocket,
            InitialBackoff = TimeSpan.FromMilliseconds(50),
        });
        _owned.Add(client);
        var welcomed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (client.Welcomes.Subscribe(welcome =>
        {
            if (welcome is not null)
            {
                welcomed.TrySetResult();
            }
        }))
        {
            client.Start();
            await welcomed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
        return client;
    }

    /// <summary>Opens a raw WebSocket with this user's cookie, presenting <paramref name="origin"/> (none when <see langword="null"/>).</summary>
    public async Task<RawSocket> ConnectRawAsync(string? origin = ChatHost.TestOrigin)
    {
        var socket = new ClientWebSocket();
        socket.Options.Cookies = Cookies;
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }
        socket.Options.CollectHttpResponseDetails = true;
        await socket.ConnectAsync(SocketUri, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        var raw = new RawSocket(socket);
        _owned.Add(raw);
        return raw;
    }

    public Uri SocketUri => new UriBuilder(new Uri(_address, Shared.Protocol.ChatProtocol.SocketPath)) { Scheme = "ws" }.Uri;

    public void ConfigureSocket(ClientWebSocketOptions options)
    {
        options.Cookies = Cookies;
        options.SetRequestHeader("Origin", ChatHost.TestOrigin);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }
        Http.Dispose();
    }
}
