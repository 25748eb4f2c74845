using System.Net;
using ChatServer.Shared.Protocol;
using ChatServer.Storage;
using ChatServer.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace ChatServer.Tests.Attacks;

/// <summary>Fault: the store's disk is full. Acked messages must survive, every send must still be answered (else the
/// client resends forever), and the server must log it and report it on <c>/health</c> until it can write again.</summary>
/// <remarks>The disk is "filled" by <see cref="StoreOptions.MaxPageCount"/>: past it SQLite fails a write with
/// <c>SQLITE_FULL</c>, the same error a full disk gives, without filling the machine's disk.</remarks>
public sealed class DiskFullTests(ITestOutputHelper output) : IDisposable
{
    private const int Sends = 120;

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("chat-diskfull-");

    [Fact]
    public async Task StoreFull_EverySendIsAnswered_AckedOnesSurvive_TheRestRejectedRetryably_LoggedAndReported()
    {
        var store = Path.Combine(_directory.FullName, "chat.db");
        await using var host = await ChatHost.StartAsync(o => (o.Store.Kind, o.Store.Path, o.Store.MaxPageCount, o.RateLimitCount) = (StoreKind.Sqlite, store, 16, 1000));
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var socket = await alice.ConnectRawAsync();
        var ids = Enumerable.Range(0, Sends).Select(_ => Guid.NewGuid()).ToList();
        var texts = Enumerable.Range(0, Sends).Select(i => $$"""{"text":"{{i}} {{new string('x', 450)}}"}""").ToList();

        var codes = await socket.SendEditsAndReceiveCodesAsync(texts, ids);
        using var full = await alice.Http.GetAsync("/health");
        var fullText = await full.Content.ReadAsStringAsync();
        var acked = ids.Where((_, i) => codes[i] == "ack").ToList();
        var stored = StoreFile.Messages(store).Select(m => m.Id).ToList();
        output.WriteLine($"{Sends} sends into a store of at most 16 pages: {acked.Count} acked, {codes.Count(c => c == ChatProtocol.StorageUnavailable)} rejected {ChatProtocol.StorageUnavailable}; {stored.Count} stored; /health {(int)full.StatusCode} {fullText}");

        codes.Should().OnlyContain(c => c == "ack" || c == ChatProtocol.StorageUnavailable, "every send is answered, and one that cannot be stored is rejected retryably");
        codes.Should().Contain("ack").And.Contain(ChatProtocol.StorageUnavailable);
        stored.Should().BeEquivalentTo(acked, "every acked send is stored, and no rejected one");
        full.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        fullText.Should().StartWith("Unhealthy").And.Contain("full");
        host.Logs.Errors.Should().Contain(e => e.EventId.Id >= 40 && e.EventId.Id <= 49 && e.Message.Contains(store, StringComparison.Ordinal), "a full disk is logged as an error naming the database");

        // Room is made (old messages deleted by hand): the next send is stored, and the store is reported healthy again.
        DeleteAllMessages(store);
        var again = await socket.SendEditsAndReceiveCodesAsync(["""{"text":"room again"}"""]);
        var healthyAgain = await alice.Http.GetStringAsync("/health");

        again.Should().Equal("ack");
        healthyAgain.Should().Be("Healthy");
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    private static void DeleteAllMessages(string store)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = store, Pooling = false }.ToString());
        connection.Open();
        using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM messages;";
        delete.ExecuteNonQuery();
    }
}
