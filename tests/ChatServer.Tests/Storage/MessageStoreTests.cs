using ChatServer.Chat;
using ChatServer.Shared.Protocol;
using ChatServer.Storage;
using Microsoft.Extensions.Options;

namespace ChatServer.Tests.Storage;

/// <summary>What both message stores promise the room: a stored message, edit or deletion becomes history only when the
/// room adds it, as it posts it, so that a connection joining meanwhile gets it once.</summary>
public sealed class MessageStoreTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("chat-store-");
    private SqliteChatDatabase? _database;

    public static TheoryData<string> Kinds => ["memory", "sqlite"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Append_StoresInSequence_AndRecentHasTheMessagesOnlyFromAddToRecentOn(string kind)
    {
        var store = Open(kind, historySize: 3);
        var first = store.Append([new NewMessage(Guid.NewGuid(), "ada", "one"), new NewMessage(Guid.NewGuid(), "ada", "two")]);

        first.Select(m => (m.Text, m.Sequence)).Should().Equal(("one", 1L), ("two", 2L));
        store.Recent().Should().BeEmpty("the room has not posted them yet");

        store.AddToRecent(first);
        var second = store.Append([new NewMessage(Guid.NewGuid(), "bob", "three"), new NewMessage(Guid.NewGuid(), "bob", "four")]);
        store.Recent().Select(m => m.Text).Should().Equal("one", "two");

        store.AddToRecent(second);
        store.Recent().Select(m => m.Text).Should().Equal(["two", "three", "four"], "the history keeps its size");
        store.Find(second[1].Id)!.Message.Text.Should().Be("four");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EditAndDelete_ChangeRecentOnlyFromUpdateRecentOn(string kind)
    {
        var store = Open(kind, historySize: 10);
        var messages = store.Append([new NewMessage(Guid.NewGuid(), "ada", "one"), new NewMessage(Guid.NewGuid(), "ada", "two")]);
        store.AddToRecent(messages);

        var edited = store.Edit(Guid.NewGuid(), new EditMessage(messages[0].Id, "one, edited", 0), messages[0], apply: true);
        var deleted = store.Delete(Guid.NewGuid(), new DeleteMessage(messages[1].Id), messages[1]);
        store.Recent().Select(m => m.Text).Should().Equal(["one", "two"], "the room has not posted the changes yet");

        store.UpdateRecent(new StoredMessage(edited, IsDeleted: false));
        store.Recent().Select(m => m.Text).Should().Equal("one, edited", "two");
        store.UpdateRecent(deleted);
        store.Recent().Select(m => m.Text).Should().Equal("one, edited");
    }

    public void Dispose()
    {
        _database?.Dispose();
        _directory.Delete(recursive: true);
    }

    private IMessageStore Open(string kind, int historySize)
    {
        var options = Options.Create(new ChatOptions { HistorySize = historySize });
        if (kind == "memory")
        {
            return new MemoryMessageStore(TimeProvider.System, options);
        }
        _database = new SqliteChatDatabase(Path.Combine(_directory.FullName, "chat.db"));
        return new SqliteMessageStore(_database, TimeProvider.System, options);
    }
}
