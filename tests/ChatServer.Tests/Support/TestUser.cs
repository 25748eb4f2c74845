using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using ChatServer.Shared;

namespace ChatServer.Tests.Support;

/// <summary>A user of a test host: a cookie jar, logged in through <c>/auth</c> (or anonymous), and the clients it opens.</summary>
public sealed class TestUser : IAsyncDisposable
{
    private readonly Uri _address;
    // Added to from several threads at once (tests open many sockets with Task.WhenAll), so kept in a concurrent
    // queue: a List lost an entry now and then under load, and the socket it held was never closed.
    private readonly ConcurrentQueue<IAsyncDisposable> _owned = new();
    private readonly IPAddress? _from;

    private TestUser(Uri address, string? name, IPAddress? from = null)
    {
        _address = address;
        Name = name;
        _from = from;
        Http = new HttpClient(Handler()) { BaseAddress = address };
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

    /// <summary>Logs in from the loopback address <paramref name="from"/> (e.g. 127.0.0.2): every request and raw
    /// socket of this user comes from it, as from another machine.</summary>
    public static async Task<TestUser> LoginAsync(ChatHost host, string name, IPAddress from)
    {
        var user = new TestUser(host.Address, name, from);
        using var response = await user.Http.SendAsync(BasicLogin(name, string.Empty));
        response.StatusCode.Should().Be(HttpStatusCode.OK, "an empty password logs in");
        return user;
    }

    public static TestUser Anonymous(ChatHost host) => new(host.Address, null);

    /// <summary>An anonymous visitor whose requests come from the loopback address <paramref name="from"/>.</summary>
    public static TestUser Anonymous(ChatHost host, IPAddress from) => new(host.Address, null, from);

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
        _owned.Enqueue(client);
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
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }
        socket.Options.CollectHttpResponseDetails = true;
        if (_from is null)
        {
            socket.Options.Cookies = Cookies;
            await socket.ConnectAsync(SocketUri, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        }
        else
        {
            // Through a handler bound to the address (it carries the cookies: a socket given an invoker may not).
            using var invoker = new HttpMessageInvoker(Handler());
            await socket.ConnectAsync(SocketUri, invoker, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        }
        var raw = new RawSocket(socket);
        _owned.Enqueue(raw);
        return raw;
    }

    public Uri SocketUri => new UriBuilder(new Uri(_address, Shared.Protocol.ChatProtocol.SocketPath)) { Scheme = "ws" }.Uri;

    public void ConfigureSocket(ClientWebSocketOptions options)
    {
        options.Cookies = Cookies;
        options.SetRequestHeader("Origin", ChatHost.TestOrigin);
    }

    private SocketsHttpHandler Handler() => new()
    {
        CookieContainer = Cookies,
        AllowAutoRedirect = false,
        ConnectCallback = _from is null ? null : ConnectFromAsync,
    };

    private async ValueTask<Stream> ConnectFromAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(_from!, 0));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
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
