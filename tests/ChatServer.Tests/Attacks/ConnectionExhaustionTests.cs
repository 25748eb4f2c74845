using System.Net;
using System.Net.Sockets;
using System.Text;
using ChatServer.Tests.BadInput;
using ChatServer.Shared.Protocol;
using ChatServer.Tests.Support;
using Xunit.Abstractions;

namespace ChatServer.Tests.Attacks;

/// <summary>Attack: take every connection the server can hold — idle TCP connections that never send a byte, from one
/// address or from many — so that nobody else gets in, or the process runs out of descriptors and dies.</summary>
public sealed class ConnectionExhaustionTests(ITestOutputHelper output)
{
    // A failure guard only, far below Kestrel's default keep-alive timeout (130 s) that held idle connections before.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    // The attacker's own loopback address: the tests' well-behaved clients connect from 127.0.0.1.
    private static readonly IPAddress Attacker = IPAddress.Parse("127.0.0.3");

    [Fact]
    public async Task ConnectionThatNeverSendsAByte_IsClosedAfterTheHandshakeTimeout()
    {
        await using var host = await ChatHost.StartAsync(o => o.HandshakeTimeout = TimeSpan.FromSeconds(1));
        await using var bystander = await Bystander.JoinAsync(host);
        using var idle = await ConnectAsync(host, Attacker);

        var received = await ReadUntilClosedAsync(idle);

        received.Should().BeEmpty("a connection that sent no request is closed without an answer");
        await bystander.AssertServedAndNothingLostAsync();
    }

    [Fact]
    public async Task ConnectionsOverThePerAddressLimit_AreClosedAtOnce_WhileTheOpenOnesAndOtherAddressesAreServed()
    {
        await using var host = await ChatHost.StartAsync(o => o.MaxConnectionsPerAddress = 3);
        await using var bystander = await Bystander.JoinAsync(host);
        var held = new List<Socket>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                held.Add(await ConnectAsync(host, Attacker));
                (await RequestAsync(held[^1])).Should().StartWith("HTTP/1.1 404", "connection {0} of 3 is within the limit", i + 1);
            }

            using var fourth = await ConnectAsync(host, Attacker);
            var refused = await RequestAsync(fourth);

            refused.Should().BeEmpty("the fourth connection from the address is closed without an answer");
            (await RequestAsync(held[0])).Should().StartWith("HTTP/1.1 404", "the connections within the limit still work");
            await bystander.AssertServedAndNothingLostAsync();
            held[0].Dispose();
            (await ServedOnceAPlaceIsFreeAsync(host, Attacker)).Should().StartWith("HTTP/1.1 404");
        }
        finally
        {
            held.ForEach(socket => socket.Dispose());
        }
    }

    [Fact]
    public async Task ConnectionsOverTheServerLimit_AreClosedAtOnce_WhileTheOpenOnesAreServed()
    {
        await using var host = await ChatHost.StartAsync(o => (o.MaxConnections, o.MaxConnectionsPerAddress) = (3, 0));
        var held = new List<Socket>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                held.Add(await ConnectAsync(host, IPAddress.Parse($"127.0.0.{10 + i}")));
                (await RequestAsync(held[^1])).Should().StartWith("HTTP/1.1 404", "connection {0} of 3 is within the limit", i + 1);
            }

            using var fourth = await ConnectAsync(host, IPAddress.Parse("127.0.0.20"));
            var refused = await RequestAsync(fourth);

            refused.Should().BeEmpty("the fourth connection to the server is closed without an answer");
            (await RequestAsync(held[0])).Should().StartWith("HTTP/1.1 404", "the connections within the limit still work");
            held[0].Dispose();
            (await ServedOnceAPlaceIsFreeAsync(host, IPAddress.Parse("127.0.0.20"))).Should().StartWith("HTTP/1.1 404");
        }
        finally
        {
            held.ForEach(socket => socket.Dispose());
        }
    }

    [Fact]
    public async Task OpenSockets_CountAgainstTheServerLimit_SoANewConnectionOverItIsClosedAtOnce()
    {
        // Kestrel's own MaxConcurrentConnections stops counting a connection once it is upgraded, yet a socket keeps its
        // descriptor for as long as it is open: the limit that protects the descriptors must count it.
        await using var host = await ChatHost.StartAsync(o => (o.MaxConnections, o.MaxConnectionsPerAddress) = (3, 0));
        var readers = new List<TestUser>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                readers.Add(TestUser.Anonymous(host, IPAddress.Parse($"127.0.0.{30 + i}")));
                var socket = await readers[^1].ConnectRawAsync();
                await socket.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.HistoryType));
            }

            using var fourth = await ConnectAsync(host, IPAddress.Parse("127.0.0.40"));
            var refused = await RequestAsync(fourth);

            refused.Should().BeEmpty("three open sockets hold the server's three places");
        }
        finally
        {
            foreach (var reader in readers)
            {
                await reader.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task AThousandIdleConnectionsUnderA1024DescriptorLimit_TheServerKeepsServingANewClient_AndDoesNotExit()
    {
        // The attack of issue 13 as it was run: the built server with `ulimit -n 1024` and its default limits.
        var directory = Directory.CreateTempSubdirectory("chat-descriptors-");
        var port = ServerProcess.FreePort();
        var address = ServerProcess.AddressOf(port);
        var idle = new List<Socket>();
        try
        {
            await using var server = await ServerProcess.StartAsync(port, Path.Combine(directory.FullName, "chat.db"), descriptorLimit: 1024);
            for (var i = 0; i < 1000; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                idle.Add(socket);
                socket.Bind(new IPEndPoint(Attacker, 0));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(Guard);
            }

            await using var alice = await TestUser.LoginAsync(address, "alice").WaitAsync(Guard);
            var chat = await alice.ConnectRawAsync().WaitAsync(Guard);
            var id = Guid.NewGuid();
            await chat.SendEditAsync(id, 1, """{"text":"served while the attack holds"}""");
            var answer = await chat.ReceiveUntilAsync(f => RawSocket.Is(f, "ack", id) || RawSocket.Is(f, "reject", id));
            // Closed by the server: end of stream (or a reset) is readable at once.
            var closed = idle.Count(socket => socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0);
            output.WriteLine($"1,000 idle connections from {Attacker}: {1000 - closed} held by the server, {closed} closed at once; a new client from 127.0.0.1 got '{answer["type"]}'");

            ((string?)answer["type"]).Should().Be("ack", "a new client is served while the attack holds its connections");
            closed.Should().BeGreaterThanOrEqualTo(900, "one address holds at most Chat:MaxConnectionsPerAddress (100) connections");
            server.HasExited.Should().BeFalse(server.Output);
        }
        finally
        {
            idle.ForEach(socket => socket.Dispose());
            directory.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("Max open files            1024                 1048576              files", 1024L)]
    [InlineData("Max open files            unlimited            unlimited            files", null)]
    public void DescriptorLimit_IsTheSoftOpenFilesLimit_AndTheDefaultConnectionLimitIsHalfOfIt(string line, long? expected)
    {
        var limits = Path.Combine(Path.GetTempPath(), $"chat-limits-{Guid.NewGuid():N}");
        File.WriteAllLines(limits, ["Limit                     Soft Limit           Hard Limit           Units", "Max processes             63704                63704                processes", line]);
        try
        {
            ChatServer.Chat.DescriptorLimit.SoftLimit(limits).Should().Be(OperatingSystem.IsLinux() ? expected : null);
        }
        finally
        {
            File.Delete(limits);
        }
        if (OperatingSystem.IsLinux())
        {
            ChatServer.Chat.DescriptorLimit.DefaultMaxConnections().Should().Be(ChatServer.Chat.DescriptorLimit.SoftLimit() / 2, "this process's own limit, halved");
        }
    }

    private static async Task<Socket> ConnectAsync(ChatHost host, IPAddress from)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(from, 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, host.Address.Port)).WaitAsync(Guard);
        return socket;
    }

    // Sends a request whose answer has no body (a path that does not exist: 404, Content-Length 0) and returns the
    // response head, or what arrived before the server closed the connection (empty when it did not answer).
    private static async Task<string> RequestAsync(Socket socket)
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /no-such-page HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        var head = new StringBuilder();
        var one = new byte[1];
        try
        {
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                if (await socket.ReceiveAsync(one).WaitAsync(Guard) == 0)
                {
                    break;
                }
                head.Append((char)one[0]);
            }
        }
        catch (SocketException)
        {
            // Reset: closed without an answer.
        }
        return head.ToString();
    }

    // Reads until the server closes the connection (end of stream or reset) and returns what arrived.
    private static async Task<string> ReadUntilClosedAsync(Socket socket)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer).WaitAsync(Guard)) > 0)
            {
                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (SocketException)
        {
        }
        return received.ToString();
    }

    // A closed connection's place is given back when the server has noticed the close, a moment later: try again (each
    // try gets a real answer, a response or a close) until one is answered.
    private static async Task<string> ServedOnceAPlaceIsFreeAsync(ChatHost host, IPAddress from)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var socket = await ConnectAsync(host, from);
            var head = await RequestAsync(socket);
            if (head.Length > 0)
            {
                return head;
            }
        }
        throw new InvalidOperationException("No place was freed after a connection closed.");
    }
}
