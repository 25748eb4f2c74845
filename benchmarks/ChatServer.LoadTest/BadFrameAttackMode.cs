using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;

namespace ChatServer.LoadTest;

/// <summary>The server's memory under a bad-frame attack: sockets that never read what the server sends them and send
/// 65 KB frames it must refuse, each answered with an error it cannot deliver. Against the chat with its default
/// settings; the server's resident set (VmRSS) is sampled at rest, during the attack (its peak) and after it.</summary>
public static partial class Modes
{
    private const int Attackers = 2;

    // An unknown type of 65,000 '<' (valid UTF-8, under the 64 KiB frame limit): the most an error could quote, 6 bytes a
    // character in JSON, were it not cut short.
    private static readonly byte[] BadFrame = Encoding.UTF8.GetBytes($$"""{"type":"{{new string('<', 65_000)}}"}""");

    public static async Task<int> BadFrameAttackAsync(LoadOptions options, string root)
    {
        ArgumentNullException.ThrowIfNull(options);
        var assembly = Path.Combine(root, "samples", "ChatServer", "bin", "Release", "net10.0", "ChatServer.dll");
        var store = Directory.CreateTempSubdirectory("chat-attack-");
        try
        {
            // Default settings but two: a store of its own, and the server's own URL as an allowed Origin (what a page it
            // serves sends; the attacker presents it, as any non-browser client can).
            await using var server = await ServerProcess.StartAsync(assembly, "/auth/me", url => new Dictionary<string, string>
            {
                ["Chat__Store__Path"] = Path.Combine(store.FullName, "chat.db"),
                ["Chat__AllowedOrigins__0"] = url.GetLeftPart(UriPartial.Authority),
            }, options.Pin);
            await Task.Delay(TimeSpan.FromSeconds(2));
            var atRest = server.ResidentBytes();
            Console.WriteLine($"# {Attackers} sockets that never read, sending {BadFrame.Length:N0}-byte bad frames for {options.AttackDuration.TotalSeconds:N0} s");

            using var stop = new CancellationTokenSource(options.AttackDuration);
            var stats = new AttackStats();
            var attackers = Enumerable.Range(0, Attackers).Select(_ => AttackAsync(server.Url, stats, stop.Token)).ToList();
            var peak = atRest;
            var clock = Stopwatch.StartNew();
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250));
                if (server.HasExited)
                {
                    Console.WriteLine("Attack FAILED: the server exited.");
                    return 1;
                }
                peak = Math.Max(peak, server.ResidentBytes());
                if (clock.Elapsed.TotalSeconds >= 5)
                {
                    clock.Restart();
                    Console.WriteLine($"  RSS {server.ResidentBytes() / 1048576.0:N1} MiB, peak {peak / 1048576.0:N1} MiB; {Volatile.Read(ref stats.Frames):N0} frames on {Volatile.Read(ref stats.Connections):N0} connections");
                }
            }
            await Task.WhenAll(attackers);
            // The server's close timeout (5 s) ends the last sockets; then its memory is read once more.
            await Task.Delay(TimeSpan.FromSeconds(6));
            var after = server.ResidentBytes();

            Console.WriteLine();
            Console.WriteLine("| attack | frames sent | MB sent | connections | RSS at rest (MiB) | RSS peak (MiB) | RSS after (MiB) |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Attackers} non-reading sockets, {BadFrame.Length:N0}-byte bad frames, {options.AttackDuration.TotalSeconds:N0} s | {stats.Frames:N0} | {stats.Frames * (double)BadFrame.Length / 1e6:N0} | {stats.Connections:N0} | {atRest / 1048576.0:N1} | {peak / 1048576.0:N1} | {after / 1048576.0:N1} |"));
            return 0;
        }
        finally
        {
            store.Delete(recursive: true);
        }
    }

    // One attacker: connects, sends bad frames without ever reading until the server ends the connection (21 bad frames
    // close it with 1008; unread, that close ends in an abort after the close timeout), then connects again.
    private static async Task AttackAsync(Uri url, AttackStats stats, CancellationToken stop)
    {
        var socketUrl = new UriBuilder(url) { Scheme = "ws", Path = "/chat/ws" }.Uri;
        while (!stop.IsCancellationRequested)
        {
            using var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("Origin", url.GetLeftPart(UriPartial.Authority));
            try
            {
                await socket.ConnectAsync(socketUrl, stop);
                Interlocked.Increment(ref stats.Connections);
                while (!stop.IsCancellationRequested)
                {
                    await socket.SendAsync(BadFrame, WebSocketMessageType.Text, endOfMessage: true, stop);
                    Interlocked.Increment(ref stats.Frames);
                }
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or IOException)
            {
                // Closed or aborted by the server, or the attack is over: connect again (or stop).
            }
            socket.Abort();
        }
    }

    private sealed class AttackStats
    {
        public long Frames;
        public long Connections;
    }
}
