using System.Net;
using System.Net.Sockets;
using ChatServer.Chat;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChatServer.Tests.Support;

/// <summary>The chat host on real Kestrel, in-process, bound to 127.0.0.1.</summary>
public sealed class ChatHost : IAsyncDisposable
{
    /// <summary>The origin the integration tests' sockets present; allowed by every test host.</summary>
    public const string TestOrigin = "http://chat.test";

    private readonly WebApplication _app;

    private ChatHost(WebApplication app, Uri address, LogCapture logs)
    {
        _app = app;
        Address = address;
        Logs = logs;
    }

    public Uri Address { get; }

    /// <summary>What the server logged (every level), to assert that bad input caused no error.</summary>
    public LogCapture Logs { get; }

    public IServiceProvider Services => _app.Services;

    public ChatRoom Room => _app.Services.GetRequiredService<ChatRoom>();

    /// <summary>Starts a host on an ephemeral port (read back from the server's addresses).</summary>
    public static Task<ChatHost> StartAsync(Action<ChatOptions>? configure = null, TimeProvider? time = null, Action<IServiceCollection>? services = null) =>
        StartAsync(configure, time, port: 0, client: false, services);

    /// <summary>Starts a node that shares its sessions, cookie keys, presence and limits with the other nodes through
    /// the Redis at <paramref name="redis"/> (<see cref="ChatOptions.Redis"/>), with a short heartbeat and node timeout
    /// (0.2 s and 1 s) so that a test sees a silent node drop out in about a second.</summary>
    public static Task<ChatHost> StartNodeAsync(string redis, Action<ChatOptions>? configure = null, TimeProvider? time = null) =>
        StartAsync(options =>
        {
            // Fail a command after a second rather than five when Redis is killed under it.
            options.Redis = $"{redis},syncTimeout=1000,asyncTimeout=1000,connectTimeout=1000";
            options.NodeHeartbeat = TimeSpan.FromMilliseconds(200);
            options.NodeTimeout = TimeSpan.FromSeconds(1);
            configure?.Invoke(options);
        }, time);

    /// <summary>Starts a host that also serves the Blazor client. The browser's origin includes the port, and the
    /// WebSockets middleware fixes its allowed origins before the server binds: so a free port is taken first.</summary>
    public static Task<ChatHost> StartWithClientAsync(Action<ChatOptions>? configure = null)
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return StartAsync(configure, time: null, port, client: true, services: null);
    }

    private static async Task<ChatHost> StartAsync(Action<ChatOptions>? configure, TimeProvider? time, int port, bool client, Action<IServiceCollection>? services)
    {
        var serverAssembly = typeof(ChatRoom).Assembly;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = serverAssembly.GetName().Name,
            EnvironmentName = client ? Environments.Development : Environments.Production,
            ContentRootPath = client ? ProjectDirectory("samples/ChatServer") : AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        var logs = new LogCapture();
        builder.Logging.AddProvider(logs);
        if (client)
        {
            // The client's files come from the build output, as with `dotnet run` in Development.
            builder.WebHost.UseStaticWebAssets();
        }
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }
        builder.AddChat();
        builder.Services.Configure<ChatOptions>(options =>
        {
            // Tests run without the demo options unless they ask for them, and with no presence grace.
            options.Demo = new DemoOptions();
            options.PresenceGrace = TimeSpan.Zero;
            // In memory unless a test asks for the durable store (and gives it its own file).
            options.Store.Kind = ChatServer.Storage.StoreKind.Memory;
            options.AllowedOrigins = [TestOrigin];
            // Every test client comes from loopback, as behind a reverse proxy: no per-address limits on logins and
            // sends unless a test asks for them (as the load generator runs the server).
            options.LoginRateLimitCount = 0;
            options.AddressRateLimitCount = 0;
            if (port != 0)
            {
                options.AllowedOrigins.Add($"http://127.0.0.1:{port}");
            }
            configure?.Invoke(options);
        });
        // A test's own services (e.g. a failing store) replace the chat's.
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.Urls.Add($"http://127.0.0.1:{port}");
        app.UseSecurityHeaders();
        if (client)
        {
            app.UseStaticFiles();
        }
        app.UseChat();
        app.MapChat();
        if (client)
        {
            app.MapStaticAssets();
            app.MapFallbackToFile("index.html");
        }
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ChatHost(app, new Uri(address), logs);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string ProjectDirectory(string relative) => Path.Combine(Repository.Root, relative);
}
