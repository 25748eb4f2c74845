using ChatServer.Shared.Protocol;
using ChatServer.Storage;
using ChatServer.Tests.BadInput;
using ChatServer.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace ChatServer.Tests.Attacks;

/// <summary>Attack: fill the server's disk with edits that are refused — without logging in, or logged in with texts
/// that are too long or empty. A refused edit must cost the disk nothing, and every edit must cost its sender rate.</summary>
public sealed class DiskFillTests(ITestOutputHelper output) : IDisposable
{
    // The attack of issue 13: edits of 65,000 characters, the most that fits a 64 KiB frame with its envelope.
    private const int AttackTextLength = 65_000;

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("chat-diskfill-");

    [Fact]
    public async Task LargeEditsRefusedAsAnonymousTooLongOrEmpty_DoNotGrowTheDatabase()
    {
        var store = Path.Combine(_directory.FullName, "chat.db");
        // The bad-frame budget would close the anonymous socket after 20 edits (MemoryExhaustionTests): here the store
        // alone must hold, for as many refusals as an attacker cares to send over as many connections.
        await using var host = await ChatHost.StartAsync(o => (o.Store.Kind, o.Store.Path, o.MaxBadFrames) = (StoreKind.Sqlite, store, int.MaxValue));
        await using var bystander = await Bystander.JoinAsync(host);
        await using var visitor = TestUser.Anonymous(host);
        var anonymous = await visitor.ConnectRawAsync();
        await using var mallory = await TestUser.LoginAsync(host, "mallory");
        var loggedIn = await mallory.ConnectRawAsync();
        var large = $$"""{"text":"{{new string('a', AttackTextLength)}}"}""";
        var before = StoreBytes(store);

        var anonymousCodes = await anonymous.SendEditsAndReceiveCodesAsync([.. Enumerable.Repeat(large, 300)]);
        var loggedInCodes = await loggedIn.SendEditsAndReceiveCodesAsync([.. Enumerable.Repeat(large, 100).Concat(Enumerable.Repeat("""{"text":"  "}""", 100))]);
        var growth = StoreBytes(store) - before;
        output.WriteLine($"300 anonymous and 200 logged-in refused edits: the store grew by {growth:N0} bytes");

        anonymousCodes.Should().OnlyContain(c => c == ChatProtocol.NotLoggedIn);
        loggedInCodes.Should().OnlyContain(c => c == ChatProtocol.TooLong || c == ChatProtocol.Empty || c == ChatProtocol.RateLimited);
        growth.Should().BeLessThan(AttackTextLength, "500 refused edits of up to {0:N0} characters must not store their text (grew by {1:N0} bytes)", AttackTextLength, growth);
        await bystander.AssertServedAndNothingLostAsync();
    }

    [Fact]
    public async Task ABurstOfTooLongAndEmptySends_IsCountedByTheRateLimit()
    {
        await using var host = await ChatHost.StartAsync(o => (o.MaxMessageLength, o.RateLimitCount, o.RateLimitWindow) = (40, 3, TimeSpan.FromHours(1)));
        await using var bystander = await Bystander.JoinAsync(host);
        await using var mallory = await TestUser.LoginAsync(host, "mallory");
        var socket = await mallory.ConnectRawAsync();
        string[] burst = ["""{"text":""}""", """{"text":"far too long for the limit of forty characters"}""", """{"text":" "}""", """{"text":"valid"}""", """{"text":""}"""];

        var codes = await socket.SendEditsAndReceiveCodesAsync(burst);

        codes.Should().Equal(ChatProtocol.Empty, ChatProtocol.TooLong, ChatProtocol.Empty, ChatProtocol.RateLimited, ChatProtocol.RateLimited);
        await bystander.AssertServedAndNothingLostAsync();
    }

    [Fact]
    public async Task ARefusal_IsNotRecorded_SoTheSameAttemptResentAfterTheRateWindow_IsValidatedAgainAndAccepted()
    {
        var time = new FakeTimeProvider();
        var store = Path.Combine(_directory.FullName, "chat.db");
        await using var host = await ChatHost.StartAsync(o => (o.Store.Kind, o.Store.Path, o.RateLimitCount, o.RateLimitWindow) = (StoreKind.Sqlite, store, 1, TimeSpan.FromSeconds(10)), time);
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var socket = await alice.ConnectRawAsync();
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();

        var codes = await socket.SendEditsAndReceiveCodesAsync(["""{"text":"one"}""", """{"text":"two"}"""], [first, second]);
        time.Advance(TimeSpan.FromSeconds(11));
        await socket.SendEditAsync(second, 1, """{"text":"two"}""");
        var resent = await socket.ReceiveUntilAsync(f => RawSocket.Is(f, "ack", second) || RawSocket.Is(f, "reject", second));

        codes.Should().Equal("ack", ChatProtocol.RateLimited);
        ((string?)resent["type"]).Should().Be("ack", "the refusal was not recorded: the resend is checked again, and the window has passed");
        host.Room.Recent().Select(m => m.Id).Should().Equal(first, second);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    // The database with its write-ahead log and shared-memory index: what the store occupies on disk.
    private static long StoreBytes(string path) =>
        new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists).Sum(file => new FileInfo(file).Length);
}
