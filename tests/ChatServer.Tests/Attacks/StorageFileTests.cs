using System.Net;
using ChatServer.Shared.Protocol;
using ChatServer.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace ChatServer.Tests.Attacks;

/// <summary>Fault: the database's files are deleted or replaced under the running server (an operator's <c>rm</c>, a
/// restore copied over the live file). Writes would go on into unlinked files and vanish at the next restart: no send
/// may be acknowledged from then on, and the server must say so in its log and on <c>/health</c>.</summary>
public sealed class StorageFileTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("chat-storagefile-");

    [Theory]
    [InlineData("wal deleted")]
    [InlineData("database deleted")]
    [InlineData("database replaced")]
    public async Task FilesGoneUnderTheRunningServer_NoLaterSendIsAcked_AndTheFaultIsLoggedAndReported(string fault)
    {
        var store = Path.Combine(_directory.FullName, "chat.db");
        var port = ServerProcess.FreePort();
        var address = ServerProcess.AddressOf(port);
        string[] settings = ["--Chat:RateLimitCount=1000"];
        var server = await ServerProcess.StartAsync(port, store, settings);
        try
        {
            await using var alice = await TestUser.LoginAsync(address, "alice");
            var socket = await alice.ConnectRawAsync();
            using var healthBefore = await alice.Http.GetAsync("/health");
            var healthyBefore = await healthBefore.Content.ReadAsStringAsync();
            var beforeIds = Ids(5);
            var before = await socket.SendEditsAndReceiveCodesAsync(Texts("before", 5), beforeIds);

            var faultedFile = Break(store, fault);
            var afterIds = Ids(5);
            var after = await socket.SendEditsAndReceiveCodesAsync(Texts("after", 5), afterIds);
            using var health = await alice.Http.GetAsync("/health");
            var healthText = await health.Content.ReadAsStringAsync();
            // The fault was logged when it was found; the console logger writes it from its own queue, soon after.
            await server.WaitForOutputAsync(faultedFile);
            await server.KillAsync();
            var log = server.Output;

            server = await ServerProcess.StartAsync(port, store, settings);
            // The sessions are kept in the database too: with its files gone, so is alice's session. She logs in again.
            await using var aliceAgain = await TestUser.LoginAsync(address, "alice");
            var retried = await aliceAgain.ConnectRawAsync();
            await retried.SendEditAsync(afterIds[0], 2, """{"text":"after 0"}""");
            var retry = await retried.ReceiveUntilAsync(f => RawSocket.Is(f, "ack", afterIds[0]) || RawSocket.Is(f, "reject", afterIds[0]));
            var stored = StoreFile.Messages(store).Select(m => m.Id).ToList();
            output.WriteLine($"{fault}: before {string.Join(", ", before)}; after {string.Join(", ", after)}; /health {(int)health.StatusCode} {healthText}");
            output.WriteLine($"after kill -9 and restart: {stored.Count(beforeIds.Contains)} of the 5 acked before the fault, {stored.Count(afterIds.Contains)} of the 5 sent after it (1 retried after the restart)");

            before.Should().Equal(Enumerable.Repeat("ack", 5));
            after.Should().Equal(Enumerable.Repeat(ChatProtocol.StorageUnavailable, 5), "a write into a deleted or replaced file cannot survive: it must not be acknowledged");
            healthyBefore.Should().Be("Healthy");
            health.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            healthText.Should().StartWith("Unhealthy").And.Contain(Path.GetFileName(faultedFile)).And.NotContain(_directory.FullName, "/health is public: it names the file, not where it lives");
            log.Should().Contain("fail: ").And.Contain(faultedFile, "the operator must learn which file went away, from the log");
            ((string?)retry["type"]).Should().Be("ack", "the reject was retryable: once the server has a database again, the retry is stored");
            stored.Should().Contain(afterIds[0]).And.NotContain(afterIds.Skip(1), "the sends rejected during the fault were not stored anywhere that survives");
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    // Does to the store what an operator might, and returns the file whose loss the server must report.
    private string Break(string store, string fault)
    {
        switch (fault)
        {
            case "wal deleted":
                File.Delete(store + "-wal");
                return store + "-wal";
            case "database deleted":
                File.Delete(store);
                File.Delete(store + "-wal");
                File.Delete(store + "-shm");
                return store;
            default:
                // A restore: another database copied next to it, then renamed over the live file (atomic on POSIX).
                var replacement = Path.Combine(_directory.FullName, "restored.db");
                using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = replacement, Pooling = false }.ToString()))
                {
                    connection.Open();
                    using var command = connection.CreateCommand();
                    command.CommandText = "PRAGMA user_version = 7;";
                    command.ExecuteNonQuery();
                }
                File.Move(replacement, store, overwrite: true);
                return store;
        }
    }

    private static List<Guid> Ids(int count) => [.. Enumerable.Range(0, count).Select(_ => Guid.NewGuid())];

    private static List<string> Texts(string prefix, int count) =>
        [.. Enumerable.Range(0, count).Select(i => $$"""{"text":"{{prefix}} {{i}}"}""")];
}
