using System.Diagnostics;
using System.Net.WebSockets;
using ChatServer.Shared.Protocol;
using ChatServer.Tests.Faults;
using ChatServer.Tests.Support;
using Xunit.Abstractions;

namespace ChatServer.Tests.Attacks;

/// <summary>SIGTERM (a deploy, <c>docker stop</c>) ends every connection with a close handshake, not a reset: each socket
/// gets a 1000 close frame after what was already queued for it, nothing acknowledged is lost, and the process exits
/// with 0.</summary>
public sealed class ShutdownTests(ITestOutputHelper output)
{
    private const int Sockets = 50;
    private const int LoggedInUsers = 5;
    private const int SocketsPerUser = 5;

    [Fact]
    public async Task Sigterm_With50OpenSockets_EachGetsA1000CloseFrame_NothingAckedIsLost_AndTheProcessExitsWith0()
    {
        var directory = Directory.CreateTempSubdirectory("chat-sigterm-");
        var store = Path.Combine(directory.FullName, "chat.db");
        var port = ServerProcess.FreePort();
        var address = ServerProcess.AddressOf(port);
        string[] settings = ["--Chat:RateLimitCount=1000000", "--Chat:PresenceGrace=00:00:00"];
        var server = await ServerProcess.StartAsync(port, store, settings);
        var users = new List<TestUser>();
        ContinuousSender? sender = null;
        using var stop = new CancellationTokenSource();
        try
        {
            // 25 logged-in sockets (5 users, 5 each: under the 10 per user) and 25 anonymous readers.
            var sockets = new List<RawSocket>();
            for (var u = 0; u < LoggedInUsers; u++)
            {
                var user = await TestUser.LoginAsync(address, $"user{u}");
                users.Add(user);
                for (var s = 0; s < SocketsPerUser; s++)
                {
                    sockets.Add(await user.ConnectRawAsync());
                }
            }
            while (sockets.Count < Sockets)
            {
                var visitor = TestUser.Anonymous(address);
                users.Add(visitor);
                sockets.Add(await visitor.ConnectRawAsync());
            }
            foreach (var socket in sockets)
            {
                await socket.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.HistoryType));
            }
            // One message acknowledged on a raw socket before the stop.
            var acked = Guid.NewGuid();
            await sockets[0].SendEditAsync(acked, 1, """{"text":"acknowledged before SIGTERM"}""");
            await sockets[0].ReceiveUntilAsync(f => RawSocket.Is(f, "ack", acked));
            // And a client that keeps sending through the stop: its sends in flight are acked, or resent after the restart.
            var writer = await TestUser.LoginAsync(address, "writer");
            users.Add(writer);
            sender = new ContinuousSender(await writer.ConnectAsync(), "writer", window: 8);
            var sending = Task.Run(() => sender.RunAsync(int.MaxValue, stop.Token));
            await Eventually.HoldsAsync(() => sender.Accepted.Count >= 20, "20 sends accepted before SIGTERM", sender.Settled);

            var closes = sockets.Select(ReadToCloseAsync).ToList();
            var clock = Stopwatch.StartNew();
            var exitCode = await server.TerminateAsync(TimeSpan.FromSeconds(60));
            var exitedAfter = clock.Elapsed;
            var seen = await Task.WhenAll(closes);
            var acceptedBeforeRestart = sender.Accepted.Keys.ToHashSet();

            server = await ServerProcess.StartAsync(port, store, settings);
            await Eventually.HoldsAsync(() => sender.Accepted.Count >= acceptedBeforeRestart.Count + 20, "20 more sends accepted after the restart", sender.Settled);
            await stop.CancelAsync();
            await sending;
            await Eventually.HoldsAsync(() => sender.Unsettled().Count == 0, "every send accepted or rejected", sender.Settled);
            var stored = StoreFile.Messages(store).Select(m => m.Id).ToList();

            var normal = seen.Count(s => s.StartsWith("1000 ", StringComparison.Ordinal));
            output.WriteLine($"{normal} of {Sockets} sockets saw 1000; all: {string.Join(", ", seen.GroupBy(s => s).Select(g => $"{g.Count()} × {g.Key}"))}");
            output.WriteLine($"the process exited with {exitCode} {exitedAfter.TotalMilliseconds:N0} ms after SIGTERM");
            output.WriteLine($"writer: {sender.Sent.Count} sent, {sender.Accepted.Count} accepted ({acceptedBeforeRestart.Count} before the restart), {sender.Rejected.Count} rejected");
            seen.Should().AllBe("1000 The server is shutting down.", "every socket gets the close frame, not a reset");
            exitCode.Should().Be(0);
            stored.Should().Contain(acked, "a message acknowledged before the stop is stored");
            stored.Should().OnlyHaveUniqueItems("a send resent after the restart is applied once");
            stored.Should().Contain(acceptedBeforeRestart.Select(id => id.Value), "nothing acknowledged before the stop is lost");
            sender.Accepted.Keys.Select(id => id.Value).Should().BeSubsetOf(stored);
            sender.Rejected.Should().BeEmpty("nothing in this run is invalid or rate-limited, and a resend is not a conflict");
        }
        finally
        {
            await stop.CancelAsync();
            sender?.Dispose();
            foreach (var user in users)
            {
                await user.DisposeAsync();
            }
            await server.DisposeAsync();
            directory.Delete(recursive: true);
        }
    }

    // Reads until the server's close frame, answers it (completing the handshake), and returns "status reason", or how
    // the connection ended without one.
    private static async Task<string> ReadToCloseAsync(RawSocket raw)
    {
        var socket = raw.Socket;
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    return $"{(int?)result.CloseStatus} {result.CloseStatusDescription}";
                }
            }
        }
        catch (WebSocketException ex)
        {
            return $"reset ({ex.WebSocketErrorCode})";
        }
    }
}
