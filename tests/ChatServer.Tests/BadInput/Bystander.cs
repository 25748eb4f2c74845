using System.Text.Json.Nodes;
using ChatServer.Shared.Protocol;
using ChatServer.Tests.Support;

namespace ChatServer.Tests.BadInput;

/// <summary>A well-behaved user, connected before the bad input arrives, with one message accepted already: afterwards
/// it proves that the server still serves it (a new send is broadcast and acked), that nothing accepted was lost (a
/// new connection's history holds both messages), and that the server logged no error.</summary>
public sealed class Bystander : IAsyncDisposable
{
    private readonly ChatHost _host;
    private readonly TestUser _user;
    private readonly RawSocket _socket;

    private Bystander(ChatHost host, TestUser user, RawSocket socket, Guid earlier)
    {
        _host = host;
        _user = user;
        _socket = socket;
        Earlier = earlier;
    }

    /// <summary>The id of the message accepted before the bad input.</summary>
    public Guid Earlier { get; }

    public static async Task<Bystander> JoinAsync(ChatHost host)
    {
        var user = await TestUser.LoginAsync(host, "bystander");
        var socket = await user.ConnectRawAsync();
        var earlier = Guid.NewGuid();
        await socket.SendEditAsync(earlier, 1, """{"text":"accepted before the bad input"}""");
        await socket.ReceiveUntilAsync(f => RawSocket.Is(f, "ack", earlier));
        return new Bystander(host, user, socket, earlier);
    }

    /// <summary>Reads the history a new (anonymous) connection receives, as message ids, oldest first.</summary>
    public static async Task<IReadOnlyList<Guid>> HistoryAsync(ChatHost host)
    {
        await using var reader = TestUser.Anonymous(host);
        var socket = await reader.ConnectRawAsync();
        var history = await socket.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.HistoryType));
        return [.. history["payload"]!["messages"]!.AsArray().Select(m => Guid.Parse((string)m!["id"]!))];
    }

    /// <summary>Sends after the bad input and asserts the message, then its ack, arrive; that the history holds the
    /// earlier and the new message; and that the server logged nothing at Error or Critical.</summary>
    /// <returns>The id of the new message.</returns>
    public async Task<Guid> AssertServedAndNothingLostAsync()
    {
        var later = Guid.NewGuid();
        await _socket.SendEditAsync(later, 1, """{"text":"sent after the bad input"}""");
        await _socket.ReceiveUntilAsync(f => RawSocket.Is(f, "ack", later));

        var messageAt = _socket.Received.FindIndex(f => RawSocket.Holds(f, later));
        var ackAt = _socket.Received.FindIndex(f => RawSocket.Is(f, "ack", later));
        messageAt.Should().BeGreaterThanOrEqualTo(0, "the bystander's message is broadcast to it").And.BeLessThan(ackAt);
        (await HistoryAsync(_host)).Should().ContainInOrder(Earlier, later);
        _host.Logs.Errors.Should().BeEmpty("bad input is answered, not a server error");
        return later;
    }

    /// <summary>The frames the bystander received so far.</summary>
    public IReadOnlyList<JsonObject> Received => _socket.Received;

    public ValueTask DisposeAsync() => _user.DisposeAsync();
}
