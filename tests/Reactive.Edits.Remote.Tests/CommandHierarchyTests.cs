using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Reactive.Edits.Testing;

namespace Reactive.Edits.Remote.Tests;

/// <summary>One edit set of a base command type carries edits of several kinds: each goes on the wire, and into the
/// journal, as the kind of its runtime type.</summary>
public sealed class CommandHierarchyTests
{
    private static readonly EditWireProtocol Protocol = new EditWireProtocol()
        .WithCommand(RoomJson.Default.PostToRoom)
        .WithCommand("rename", RoomJson.Default.RenameTo);

    [Fact]
    public void EncodeEdit_OfTheBaseType_WritesEachCommandAsTheKindOfItsRuntimeType()
    {
        var post = new EditRequest<RoomCommand>(EditId.New(), 1, new PostToRoom("hello"));
        var rename = new EditRequest<RoomCommand>(EditId.New(), 2, new RenameTo("lobby"));

        var postJson = Json(Protocol.EncodeEdit(post));
        var renameJson = Json(Protocol.EncodeEdit(rename));

        postJson.TryGetProperty("kind", out _).Should().BeFalse("the default kind carries no kind");
        postJson.GetProperty("command").GetProperty("text").GetString().Should().Be("hello");
        renameJson.GetProperty("kind").GetString().Should().Be("rename");
        renameJson.GetProperty("command").GetProperty("name").GetString().Should().Be("lobby");
        Protocol.Decode(Protocol.EncodeEdit(rename)).Request!.Command.Should().Be(new RenameTo("lobby"));
    }

    [Fact]
    public void EncodeEdit_CommandWhoseTypeIsNotRegistered_ThrowsNamingIt()
    {
        var request = new EditRequest<RoomCommand>(EditId.New(), 1, new CloseRoom());

        var encode = () => Protocol.EncodeEdit(request);

        encode.Should().Throw<InvalidOperationException>().WithMessage("The command type CloseRoom is not registered*");
    }

    [Fact]
    public void ClientOfTheBaseType_IsAcceptedByAConnectionWhoseProtocolCarriesItsConcreteTypes()
    {
        using var edits = new EditSet<RoomCommand>();
        using var client = new RemoteEditClient<RoomCommand>(edits);
        using var unrelated = new EditSet<Presence>();
        using var unrelatedClient = new RemoteEditClient<Presence>(unrelated);
        var connection = new RemoteEditClientConnection(_ => throw new InvalidOperationException("not connected in this test"), Protocol);

        connection.Invoking(c => c.Add(client)).Should().NotThrow();
        connection.Invoking(c => c.Add(unrelatedClient)).Should().Throw<ArgumentException>().WithMessage("*no command kind for Presence*");
    }

    [Fact]
    public void Journal_OfTheBaseType_KeepsEachKindAndRestoresThemAllAsTheirOwnTypes()
    {
        var store = new InMemoryUnsettledEditStore();
        var clock = new TestClock();
        EditId postId, renameId;
        using (var edits = new EditSet<RoomCommand>(EditSetOptions.Default, clock))
        using (var journal = new UnsettledEditJournal<RoomCommand>(edits, Protocol, store))
        {
            postId = edits.Request(new PostToRoom("hello")).Id;
            clock.AdvanceBy(TimeSpan.FromSeconds(1));
            renameId = edits.Request(new RenameTo("lobby")).Id;
            store.TryGetEntry(renameId, out var entry).Should().BeTrue();
            JsonDocument.Parse(entry!).RootElement.GetProperty("kind").GetString().Should().Be("rename");
        }

        // A journal over the same store with only one of the kinds leaves the other to its own journal.
        using (var posts = new EditSet<PostToRoom>(EditSetOptions.Default, clock))
        using (var postJournal = new UnsettledEditJournal<PostToRoom>(posts, Protocol, store))
        {
            postJournal.Restore().Select(edit => edit.Id).Should().Equal(postId);
            posts.Cancel(postId);
        }

        using var next = new EditSet<RoomCommand>(EditSetOptions.Default, clock);
        using var nextJournal = new UnsettledEditJournal<RoomCommand>(next, Protocol, store);
        var restored = nextJournal.Restore();

        restored.Select(edit => (edit.Id, edit.Value)).Should().Equal((renameId, (RoomCommand)new RenameTo("lobby")));
    }

    private static JsonElement Json(ChannelMessage message) => JsonDocument.Parse(Encoding.UTF8.GetString(message.Data.Span)).RootElement;
}

public abstract record RoomCommand;

public sealed record PostToRoom(string Text) : RoomCommand;

public sealed record RenameTo(string Name) : RoomCommand;

public sealed record CloseRoom : RoomCommand;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PostToRoom))]
[JsonSerializable(typeof(RenameTo))]
public sealed partial class RoomJson : JsonSerializerContext;
