using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Reactive.Edits.Remote;
using Reactive.Edits.Testing;

namespace Reactive.Edits.Remote.Tests;

/// <summary>The WebSocket adapter over a real loopback pair made with <see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/> (no ASP.NET).</summary>
public sealed class WebSocketMessageChannelTests : IAsyncDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    private readonly List<IDisposable> _resources = [];

    public ValueTask DisposeAsync()
    {
        foreach (var resource in _resources)
        {
            resource.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task SendAndReceive_BothWays_WholeMessages()
    {
        var (client, server) = await CreatePairAsync();
        await using var clientChannel = new WebSocketMessageChannel(client);
        await using var serverChannel = new WebSocketMessageChannel(server);

        await clientChannel.SendAsync(ChannelMessage.Text("hello"), default);
        await serverChannel.SendAsync(ChannelMessage.Binary(new byte[] { 1, 2, 3 }), default);

        var atServer = (await serverChannel.ReceiveAsync(default).AsTask().WaitAsync(Guard))!.Value;
        var atClient = (await clientChannel.ReceiveAsync(default).AsTask().WaitAsync(Guard))!.Value;
        atServer.Type.Should().Be(ChannelMessageType.Text);
        atServer.GetText().Should().Be("hello");
        atClient.Type.Should().Be(ChannelMessageType.Binary);
        atClient.Data.ToArray().Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task Receive_FragmentedMessage_IsAssembled()
    {
        var (client, server) = await CreatePairAsync();
        await using var serverChannel = new WebSocketMessageChannel(server, maxMessageSize: 100);

        await client.SendAsync(Encoding.UTF8.GetBytes("frag"), WebSocketMessageType.Text, endOfMessage: false, default);
        await client.SendAsync(Encoding.UTF8.GetBytes("ment"), WebSocketMessageType.Text, endOfMessage: false, default);
        await client.SendAsync(Encoding.UTF8.GetBytes("ed"), WebSocketMessageType.Text, endOfMessage: true, default);

        (await serverChannel.ReceiveAsync(default).AsTask().WaitAsync(Guard))!.Value.GetText().Should().Be("fragmented");
    }

    [Fact]
    public async Task Receive_ExactlyTheLimit_IsAccepted()
    {
        var (client, server) = await CreatePairAsync();
        await using var serverChannel = new WebSocketMessageChannel(server, maxMessageSize: 10_000);

        await client.SendAsync(new byte[10_000], WebSocketMessageType.Binary, endOfMessage: true, default);

        (await serverChannel.ReceiveAsync(default).AsTask().WaitAsync(Guard))!.Value.Data.Length.Should().Be(10_000);
    }

    [Fact]
    public async Task Receive_EmptyMessages_ArriveAsEmptyMessagesOfTheirType()
    {
        // An empty final frame is complete at the zero-byte read that waits for it.
        var (client, server) = await CreatePairAsync();
        await using var serverChannel = new WebSocketMessageChannel(server, maxMessageSize: 100);

        await client.SendAsync(ReadOnlyMemory<byte>.Empty, WebSocketMessageType.Text, endOfMessage: true, default);
        await client.SendAsync(ReadOnlyMemory<byte>.Empty, WebSocketMessageType.Binary, endOfMessage: true, default);
        await client.SendAsync(Encoding.UTF8.GetBytes("after"), WebSocketMessageType.Text, endOfMessage: true, default);

        var text = (await serverChannel.ReceiveAsync(default).AsTask().WaitAsync(Guard))!.Value;
        var binary = (await serverChannel.ReceiveAsync(default).AsTask().WaitAsync(Guard))!.Value;
        var after = (await serverChannel.ReceiveAsync(default).AsTask().WaitAsync(Guard))!.Value;
        text.Type.Should().Be(ChannelMessageType.Text);
        text.Data.Length.Should().Be(0);
        binary.Type.Should().Be(ChannelMessageType.Binary);
        binary.Data.Length.Should().Be(0);
        after.GetText().Should().Be("after");
    }

    [Fact]
    public async Task Receive_MessagesLargerThanTheFirstBuffer_ArriveWholeAndInOrder()
    {
        // 50,000 bytes outgrow the first pooled buffer (4 KiB) several times; the small message after it must be whole
        // too, read into a fresh buffer rather than behind the large one.
        var (client, server) = await CreatePairAsync();
        await using var serverChannel = new WebSocketMessageChannel(server, maxMessageSize: 60_000);
        var large = Enumerable.Range(0, 50_000).Select(i => (byte)(i % 251)).ToArray();

        await client.SendAsync(large, WebSocketMessageType.Binary, endOfMessage: true, default);
        await client.SendAsync(new byte[] { 7, 8, 9 }, WebSocketMessageType.Binary, endOfMessage: true, default);

        (await serverChannel.ReceiveAsync(default).AsTask().WaitAsync(Guard))!.Value.Data.ToArray().Should().Equal(large);
        (await serverChannel.ReceiveAsync(default).AsTask().WaitAsync(Guard))!.Value.Data.ToArray().Should().Equal(7, 8, 9);
    }

    [Fact]
    public async Task Receive_FragmentsExceedingTheLimit_ClosesWith1009BeforeTheMessageEnds()
    {
        var (client, server) = await CreatePairAsync();
        await using var serverChannel = new WebSocketMessageChannel(server, maxMessageSize: 100);
        var receiving = serverChannel.ReceiveAsync(default).AsTask();

        // Four 30-byte fragments and no end of message: the limit must be enforced while they accumulate.
        for (var i = 0; i < 4; i++)
        {
            await client.SendAsync(new byte[30], WebSocketMessageType.Binary, endOfMessage: false, default);
        }

        await receiving.Invoking(r => r.WaitAsync(Guard)).Should().ThrowAsync<InvalidDataException>();
        var buffer = new byte[16];
        var result = await client.ReceiveAsync(buffer, default).WaitAsync(Guard);
        result.MessageType.Should().Be(WebSocketMessageType.Close);
        client.CloseStatus.Should().Be(WebSocketCloseStatus.MessageTooBig);
    }

    [Fact]
    public async Task Receive_OneFrameFarOverTheLimit_ClosesWith1009()
    {
        var (client, server) = await CreatePairAsync();
        await using var serverChannel = new WebSocketMessageChannel(server, maxMessageSize: 1_000);
        var receiving = serverChannel.ReceiveAsync(default).AsTask();

        await client.SendAsync(new byte[1_000_000], WebSocketMessageType.Binary, endOfMessage: true, default).WaitAsync(Guard);

        await receiving.Invoking(r => r.WaitAsync(Guard)).Should().ThrowAsync<InvalidDataException>();
        var result = await client.ReceiveAsync(new byte[16], default).WaitAsync(Guard);
        result.MessageType.Should().Be(WebSocketMessageType.Close);
        client.CloseStatus.Should().Be(WebSocketCloseStatus.MessageTooBig);
    }

    [Fact]
    public async Task Close_AfterTheLimit_DropsThePeersFramesUntilItsCloseAndEndsClosedNotAborted()
    {
        var (client, server) = await CreatePairAsync();
        await using var serverChannel = new WebSocketMessageChannel(server, maxMessageSize: 100);
        var receiving = serverChannel.ReceiveAsync(default).AsTask();
        for (var i = 0; i < 4; i++)
        {
            await client.SendAsync(new byte[30], WebSocketMessageType.Text, endOfMessage: false, default);
        }
        await receiving.Invoking(r => r.WaitAsync(Guard)).Should().ThrowAsync<InvalidDataException>();

        var closing = serverChannel.CloseAsync(default).AsTask();
        // The peer has not read the close yet and goes on sending: its frames are dropped, the handshake waits.
        await client.SendAsync(new byte[30], WebSocketMessageType.Text, endOfMessage: true, default);
        var result = await client.ReceiveAsync(new byte[16], default).WaitAsync(Guard);
        closing.IsCompleted.Should().BeFalse("the peer has not answered the close yet");
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default);
        await closing.WaitAsync(Guard);

        result.MessageType.Should().Be(WebSocketMessageType.Close);
        client.CloseStatus.Should().Be(WebSocketCloseStatus.MessageTooBig);
        server.State.Should().Be(WebSocketState.Closed, "the close handshake completed: nothing was reset under the peer");
    }

    [Fact]
    public async Task Close_PeerNeverAnswers_GivesUpAfterTheCloseTimeout()
    {
        var clock = new TestClock();
        var (client, server) = await CreatePairAsync();
        await using var serverChannel = new WebSocketMessageChannel(server, 1_000, TimeSpan.FromSeconds(5), clock);

        var closing = serverChannel.CloseAsync(default).AsTask();
        (await client.ReceiveAsync(new byte[16], default).WaitAsync(Guard)).MessageType.Should().Be(WebSocketMessageType.Close);
        clock.AdvanceBy(TimeSpan.FromSeconds(4.9));
        var early = closing.IsCompleted;
        clock.AdvanceBy(TimeSpan.FromSeconds(0.1));
        await closing.WaitAsync(Guard);

        early.Should().BeFalse();
        serverChannel.CloseTimeout.Should().Be(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Close_PeerReceivesEndOfStream()
    {
        var (client, server) = await CreatePairAsync();
        await using var clientChannel = new WebSocketMessageChannel(client);
        await using var serverChannel = new WebSocketMessageChannel(server);

        // The close is a handshake: it completes when the peer has answered.
        var closing = clientChannel.CloseAsync(default).AsTask();

        (await serverChannel.ReceiveAsync(default).AsTask().WaitAsync(Guard)).Should().BeNull();
        await closing.WaitAsync(Guard);
        client.State.Should().Be(WebSocketState.Closed, "the server answered the close");
    }

    [Fact]
    public async Task Constructor_InvalidArguments_Throw()
    {
        var (client, _) = await CreatePairAsync();

        var noSocket = () => new WebSocketMessageChannel(null!);
        var badLimit = () => new WebSocketMessageChannel(client, 0);
        var negativeCloseTimeout = () => new WebSocketMessageChannel(client, 10, TimeSpan.FromSeconds(-1), new TestClock());
        var noScheduler = () => new WebSocketMessageChannel(client, 10, TimeSpan.Zero, null!);

        noSocket.Should().Throw<ArgumentNullException>();
        badLimit.Should().Throw<ArgumentOutOfRangeException>();
        negativeCloseTimeout.Should().Throw<ArgumentOutOfRangeException>();
        noScheduler.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public async Task RemoteEdits_OverARealWebSocket_AreAccepted()
    {
        var (clientSocket, serverSocket) = await CreatePairAsync();
        var clock = new TestClock();
        var protocol = new EditWireProtocol<PostMessage>(TestJson.Default.PostMessage);
        using var edits = new EditSet<PostMessage>(EditSetOptions.Default, clock);
        using var client = new RemoteEditClient<PostMessage>(edits, RemoteEditOptions.Default, clock);
        using var server = new RemoteEditServer<PostMessage>((_, _, _) => Task.CompletedTask);
        using var stop = new CancellationTokenSource();
        var accepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var events = edits.Events.Subscribe(e =>
        {
            if (e.Kind == EditEventKind.Accepted)
            {
                accepted.TrySetResult();
            }
        });
        var serverRun = server.RunAsync(new RemoteEditConnection("c1", null), new WebSocketMessageChannel(serverSocket), protocol, null, stop.Token);
        var clientRun = client.RunAsync(new WebSocketMessageChannel(clientSocket), protocol, null, stop.Token);

        edits.Request(new PostMessage("over the wire"));

        await accepted.Task.WaitAsync(Guard);
        await stop.CancelAsync();
        (await clientRun.WaitAsync(Guard)).Should().BeNull();
        await serverRun.WaitAsync(Guard);
    }

    private async Task<(WebSocket Client, WebSocket Server)> CreatePairAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var tcpClient = new TcpClient();
            _resources.Add(tcpClient);
            var connecting = tcpClient.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
            var accepted = await listener.AcceptTcpClientAsync().WaitAsync(Guard);
            _resources.Add(accepted);
            await connecting.WaitAsync(Guard);
            var server = WebSocket.CreateFromStream(accepted.GetStream(), new WebSocketCreationOptions { IsServer = true });
            var client = WebSocket.CreateFromStream(tcpClient.GetStream(), new WebSocketCreationOptions { IsServer = false });
            _resources.Add(server);
            _resources.Add(client);
            return (client, server);
        }
        finally
        {
            listener.Stop();
        }
    }
}
