using Reactive.Edits.Remote;

namespace Reactive.Edits.Remote.Tests;

public sealed class InMemoryMessageChannelTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Send_DeliversInOrderToThePeer()
    {
        var (client, server) = InMemoryMessageChannel.CreatePair();

        await client.SendAsync(ChannelMessage.Text("one"), default);
        await client.SendAsync(ChannelMessage.Text("two"), default);
        await server.SendAsync(ChannelMessage.Text("back"), default);

        (await server.ReceiveAsync(default))!.Value.GetText().Should().Be("one");
        (await server.ReceiveAsync(default))!.Value.GetText().Should().Be("two");
        (await client.ReceiveAsync(default))!.Value.GetText().Should().Be("back");
    }

    [Fact]
    public async Task Send_CopiesTheBytes()
    {
        var (client, server) = InMemoryMessageChannel.CreatePair();
        var bytes = new byte[] { 1, 2, 3 };

        await client.SendAsync(ChannelMessage.Binary(bytes), default);
        bytes[0] = 9;

        (await server.ReceiveAsync(default))!.Value.Data.ToArray().Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task Close_PeerReceivesWhatWasSentThenEndOfStream()
    {
        var (client, server) = InMemoryMessageChannel.CreatePair();
        await client.SendAsync(ChannelMessage.Text("last"), default);

        await client.CloseAsync(default);

        (await server.ReceiveAsync(default))!.Value.GetText().Should().Be("last");
        (await server.ReceiveAsync(default).AsTask().WaitAsync(Guard)).Should().BeNull();
    }

    [Fact]
    public async Task Drop_LosesUndeliveredMessagesAndFailsBothEnds()
    {
        var (client, server) = InMemoryMessageChannel.CreatePair();
        var waiting = client.ReceiveAsync(default).AsTask();
        await client.SendAsync(ChannelMessage.Text("lost"), default);

        server.Drop();

        client.IsDropped.Should().BeTrue();
        await waiting.Invoking(t => t.WaitAsync(Guard)).Should().ThrowAsync<IOException>();
        await server.Invoking(s => s.ReceiveAsync(default).AsTask()).Should().ThrowAsync<IOException>();
        await client.Invoking(c => c.SendAsync(ChannelMessage.Text("x"), default).AsTask()).Should().ThrowAsync<IOException>();
    }

    [Fact]
    public async Task Receive_Cancelled_Throws()
    {
        var (client, _) = InMemoryMessageChannel.CreatePair();
        using var cancellation = new CancellationTokenSource();

        var receive = client.ReceiveAsync(cancellation.Token).AsTask();
        await cancellation.CancelAsync();

        await receive.Invoking(r => r.WaitAsync(Guard)).Should().ThrowAsync<OperationCanceledException>();
    }
}
