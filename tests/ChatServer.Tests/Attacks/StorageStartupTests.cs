using ChatServer.Tests.Support;
using Microsoft.Data.Sqlite;

namespace ChatServer.Tests.Attacks;

/// <summary>Fault: a store path the server cannot use, or one another server already uses. The server must refuse to
/// start and say which option, which path and why, instead of serving and failing every socket.</summary>
public sealed class StorageStartupTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("chat-storagestartup-");

    [Theory]
    [InlineData("parent is a file", "is not a directory")]
    [InlineData("unwritable directory", "cannot create files in")]
    [InlineData("not a database", "file is not a database")]
    [InlineData("a directory", "is a directory")]
    public async Task UnusableStorePath_TheServerDoesNotStart_AndNamesTheOptionThePathAndTheReason(string fault, string reason)
    {
        var store = UnusableStore(fault);

        var start = () => ServerProcess.StartAsync(ServerProcess.FreePort(), store);

        var exited = (await start.Should().ThrowAsync<ServerExitedException>()).Which;
        exited.ExitCode.Should().Be(1, "a setting that cannot work ends the process with 1 and its reason, not an abort (134)");
        exited.Output.Should().Contain("Chat:Store:Path").And.Contain(store).And.Contain(reason);
    }

    [Fact]
    public async Task SecondServerOnTheSameStore_DoesNotStart_AndSaysAnotherProcessHoldsIt()
    {
        var store = Path.Combine(_directory.FullName, "chat.db");
        var port = ServerProcess.FreePort();
        await using var first = await ServerProcess.StartAsync(port, store);

        var second = () => ServerProcess.StartAsync(ServerProcess.FreePort(), store);

        var exited = (await second.Should().ThrowAsync<ServerExitedException>()).Which;
        exited.ExitCode.Should().Be(1, "a setting that cannot work ends the process with 1 and its reason, not an abort (134)");
        exited.Output.Should().Contain("Chat:Store:Path").And.Contain(store).And.Contain("another process");
        await using var alice = await TestUser.LoginAsync(ServerProcess.AddressOf(port), "alice");
        var socket = await alice.ConnectRawAsync();
        (await socket.SendEditsAndReceiveCodesAsync(["""{"text":"still here"}"""])).Should().Equal("ack");
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    private string UnusableStore(string fault)
    {
        var store = Path.Combine(_directory.FullName, "chat.db");
        switch (fault)
        {
            case "parent is a file":
                var file = Path.Combine(_directory.FullName, "file");
                File.WriteAllText(file, "a file, not a directory");
                return Path.Combine(file, "chat.db");
            case "unwritable directory":
                // Nobody may create files in /proc, root included (a chmod'ed directory would not stop root, and CI
                // runs the tests as root).
                return "/proc/chat.db";
            case "not a database":
                File.WriteAllText(store, string.Concat(Enumerable.Repeat("This is a text file, not a SQLite database. ", 200)));
                return store;
            default:
                Directory.CreateDirectory(store);
                return store;
        }
    }
}
