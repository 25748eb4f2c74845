using System.Net;
using System.Net.WebSockets;
using ChatServer.Chat;
using ChatServer.Shared.Protocol;
using ChatServer.Tests.BadInput;
using ChatServer.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace ChatServer.Tests.Attacks;

/// <summary>The Production profile is safe as shipped: no origin is trusted unless configured, and the development
/// origins live in the Development file only.</summary>
public sealed class ProductionDefaultsTests
{
    [Fact]
    public async Task WithNoAllowedOrigins_AnotherSitesUpgrade_Is403()
    {
        await using var host = await ChatHost.StartAsync(static options => options.AllowedOrigins = []);
        var response = await RawHttp.SendAndReadUntilClosedAsync(
            host.Address, RawHttp.Upgrade(host.Address, ChatProtocol.SocketPath, "Origin: http://evil.example", "Connection: close"));

        response.Should().StartWith("HTTP/1.1 403").And.Contain("The Origin 'http://evil.example' is not allowed");
    }

    [Fact]
    public async Task WithNoAllowedOrigins_TheSitesOwnPage_Connects()
    {
        await using var host = await ChatHost.StartAsync(static options => options.AllowedOrigins = []);
        await using var reader = TestUser.Anonymous(host);
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", host.Address.GetLeftPart(UriPartial.Authority));

        await socket.ConnectAsync(reader.SocketUri, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        socket.State.Should().Be(WebSocketState.Open);
    }

    [Fact]
    public void Production_TrustsNoOrigin_AndDevelopment_TheLocalUrls()
    {
        var production = Bind("appsettings.json");
        var development = Bind("appsettings.json", "appsettings.Development.json");

        production.AllowedOrigins.Should().BeEmpty("in Production the origins come from configuration only");
        development.AllowedOrigins.Should().Equal("http://localhost:5080", "http://127.0.0.1:5080", "https://localhost:5081");
        production.Demo.FailEveryNth.Should().Be(0, "Production does not fail sends on purpose");
    }

    [Theory]
    [InlineData("appsettings.json")]
    [InlineData("appsettings.json", "appsettings.Development.json")]
    public void Shipped_HostingDiagnosticsLogger_IsOff_SoNoSocketKeepsARequestActivity(params string[] files)
    {
        // ASP.NET Core starts an Activity and a log scope for every request while this category is enabled at Critical,
        // and a socket's request lasts as long as the socket: about 650 bytes per open connection (docs/benchmarks.md).
        using var logging = LoggerFactory.Create(builder => builder.AddConfiguration(Configuration(files).GetSection("Logging")).AddConsole());

        logging.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Critical).Should().BeFalse();
        logging.CreateLogger("Microsoft.AspNetCore.Server.Kestrel").IsEnabled(LogLevel.Warning).Should().BeTrue("only the request diagnostics are off");
    }

    private static ChatOptions Bind(params string[] files) => Configuration(files).GetSection(ChatOptions.Section).Get<ChatOptions>()!;

    private static IConfiguration Configuration(string[] files)
    {
        var configuration = new ConfigurationBuilder();
        foreach (var file in files)
        {
            configuration.AddJsonFile(Path.Combine(Repository.Root, "samples/ChatServer", file), optional: false);
        }
        return configuration.Build();
    }
}
