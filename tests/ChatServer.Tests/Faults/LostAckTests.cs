using ChatServer.Chat;
using ChatServer.Shared.Protocol;
using ChatServer.Storage;
using ChatServer.Tests.Support;
using Reactive.Edits;

namespace ChatServer.Tests.Faults;

public sealed class LostAckTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ConnectionDrops_AfterTheCommitBeforeTheAck_ResendGivesOneMessageAndAnAck(bool restartServer)
    {
        var directory = Directory.CreateTempSubdirectory("chat-lost-ack-");
        void Durable(ChatOptions options)
        {
            options.Store.Kind = StoreKind.Sqlite;
            options.Store.Path = Path.Combine(directory.FullName, "chat.db");
        }
        var host = await ChatHost.StartAsync(Durable);
        try
        {
            var id = Guid.NewGuid();
            await using (var alice = await TestUser.LoginAsync(host, "alice"))
            await using (var watcher = TestUser.Anonymous(host))
            {
                using var seen = new LiveCollection<ChatMessage, EditId>((await watcher.ConnectAsync()).Messages);
                var sender = await alice.ConnectRawAsync();
                await sender.SendEditAsync(id, 1, """{"text":"sent once"}""");
                // The broadcast follows the commit: once another connection has the message, it is durable.
                await seen.WaitUntilAsync(items => items.ContainsKey(new EditId(id)));
                // The ack is on its way or in the socket's buffer, but this client never reads it: the TCP connection just ends.
                sender.Socket.Abort();
                sender.Received.Should().NotContain(frame => RawSocket.Is(frame, "ack", id));
            }
            if (restartServer)
            {
                await host.DisposeAsync();
                host = await ChatHost.StartAsync(Durable);
            }

            await using var again = await TestUser.LoginAsync(host, "alice");
            var resender = await again.ConnectRawAsync();
            await resender.SendEditAsync(id, 1, """{"text":"sent once"}""");
            var answer = await resender.ReceiveUntilAsync(frame => RawSocket.Is(frame, "ack", id) || RawSocket.Is(frame, "reject", id));

            ((string?)answer["type"]).Should().Be("ack", "the resend of a committed edit gets the first outcome");
            var history = resender.Received.Single(frame => RawSocket.Is(frame, "history"));
            history["payload"]!["messages"]!.AsArray().Select(m => (string?)m!["id"]).Should().Equal(id.ToString());
            host.Room.Recent().Should().ContainSingle(m => m.Id == id);
            resender.Received.Should().NotContain(frame => RawSocket.Is(frame, "message", id), "the resend did not run again, so nothing new is broadcast");
        }
        finally
        {
            await host.DisposeAsync();
            directory.Delete(recursive: true);
        }
    }
}
