using System.Reactive.Linq;
using ChatServer.Shared;
using ChatServer.Shared.Protocol;
using ChatServer.Tests.Support;
using Reactive.Edits;
using Xunit.Abstractions;

namespace ChatServer.Tests.Faults;

public sealed class KillTests(ITestOutputHelper output)
{
    private const int Clients = 4;
    private const int Window = 8;

    [Fact]
    public async Task KillDashNine_WhileClientsSend_EveryAcceptedMessageSurvivesOnceAndEverySendSettles()
    {
        var directory = Directory.CreateTempSubdirectory("chat-kill-");
        var store = Path.Combine(directory.FullName, "chat.db");
        var port = ServerProcess.FreePort();
        var address = ServerProcess.AddressOf(port);
        // A high rate limit: the test measures durability, not the limiter.
        string[] settings = ["--Chat:RateLimitCount=1000000", "--Chat:PresenceGrace=00:00:00"];
        var server = await ServerProcess.StartAsync(port, store, settings);
        var users = new List<TestUser>();
        var senders = new List<ContinuousSender>();
        using var stop = new CancellationTokenSource();
        try
        {
            for (var i = 0; i < Clients; i++)
            {
                var user = await TestUser.LoginAsync(address, $"sender{i}");
                users.Add(user);
                senders.Add(new ContinuousSender(await user.ConnectAsync(), user.Name!, Window));
            }
            var sending = senders.Select(sender => Task.Run(() => sender.RunAsync(int.MaxValue, stop.Token))).ToList();
            int AcceptedCount() => senders.Sum(s => s.Accepted.Count);
            var settled = senders.Select(s => s.Settled).Merge();

            await Eventually.HoldsAsync(() => AcceptedCount() >= 200, "200 sends accepted before the kill", settled);
            await server.KillAsync();
            // Taken after the kill: every ack counted here was sent by the server before it died.
            var acceptedBeforeKill = senders.SelectMany(s => s.Accepted.Keys).ToHashSet();
            var sentBeforeKill = senders.Sum(s => s.Sent.Count);
            var unsettledAtKill = senders.SelectMany(s => s.Unsettled()).ToHashSet();
            // What the dead server's file holds: every acknowledged send, and maybe some whose ack was still on its way.
            var committedAtKill = StoredMessages.Read(store).Select(m => m.Id).ToHashSet();
            committedAtKill.Should().Contain(acceptedBeforeKill.Select(id => id.Value), "a send is acknowledged only after its commit");
            var committedUnacknowledged = unsettledAtKill.Count(id => committedAtKill.Contains(id.Value));

            server = await ServerProcess.StartAsync(port, store, settings);
            await Eventually.HoldsAsync(() => AcceptedCount() >= acceptedBeforeKill.Count + 200, "200 more sends accepted after the restart", settled);
            await stop.CancelAsync();
            await Task.WhenAll(sending);
            await Eventually.HoldsAsync(() => senders.All(s => s.Unsettled().Count == 0), "every send accepted or rejected", settled);

            // Everything stored, read from the file (the server is running; WAL lets a reader in). A client's history
            // frame holds only the last Chat:HistorySize (100) of them, checked below.
            var history = StoredMessages.Read(store);
            await using var reader = TestUser.Anonymous(address);
            var shown = await HistoryAsync(await reader.ConnectAsync(), Math.Min(100, history.Count));
            var sent = senders.Sum(s => s.Sent.Count);
            var accepted = senders.SelectMany(s => s.Accepted.Keys).ToHashSet();
            var rejected = senders.SelectMany(s => s.Rejected.Values).ToList();
            output.WriteLine($"clients {Clients}, window {Window} unsettled sends per client");
            output.WriteLine($"sent {sent} (before the kill {sentBeforeKill}), accepted before the kill {acceptedBeforeKill.Count}, unsettled at the kill {unsettledAtKill.Count}");
            output.WriteLine($"committed in the file at the kill {committedAtKill.Count}, of which committed but not acknowledged {committedUnacknowledged} (their resends were deduplicated by the durable ledger)");
            output.WriteLine($"accepted in the end {accepted.Count}, rejected {rejected.Count}, messages present after the restart {history.Count}, distinct ids {history.Select(m => m.Id).Distinct().Count()}");

            rejected.Should().BeEmpty("nothing in this run is invalid or rate-limited, and a resend is not a conflict");
            history.Select(m => m.Id).Should().OnlyHaveUniqueItems("a resend after the restart must not store the message again");
            history.Select(m => new EditId(m.Id)).Should().Contain(acceptedBeforeKill, "an acknowledged send was committed before its ack");
            history.Select(m => new EditId(m.Id)).Should().BeEquivalentTo(accepted, "every accepted send is present once, and nothing else");
            history.Select(m => m.Sequence).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
            var texts = senders.SelectMany(s => s.Sent).ToDictionary(p => p.Key.Value, p => p.Value);
            history.Should().OnlyContain(m => texts[m.Id] == m.Text);
            shown.Select(m => m.Id).Should().Equal(history.TakeLast(100).Select(m => m.Id), "a client that connects after the restart is shown the stored history");
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var sender in senders)
            {
                sender.Dispose();
            }
            foreach (var user in users)
            {
                await user.DisposeAsync();
            }
            await server.DisposeAsync();
            directory.Delete(recursive: true);
        }
    }

    private static async Task<IReadOnlyList<ChatMessage>> HistoryAsync(ChatClient client, int expected)
    {
        using var messages = new LiveCollection<ChatMessage, EditId>(client.Messages);
        await messages.WaitUntilAsync(items => items.Count >= expected, TimeSpan.FromSeconds(60));
        return [.. messages.Items.Values.OrderBy(m => m.Sequence)];
    }
}
