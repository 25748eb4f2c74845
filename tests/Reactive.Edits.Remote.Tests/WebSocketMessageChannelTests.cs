using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Reactive.Edits.Remote;
using Reactive.Edits.Remote.Tests.Support;
using Microsoft.Extensions.Time.Testing;
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
    public async Task Send_ToAnIdleSocketThatTakesWritesAtOnce_IsWrittenBeforeSendReturns_InOrder()
    {
        // The socket's stream takes every write at once, as Kestrel's output pipe usually does: the send that finds
        // nothing being written writes the frame itself, with no hand-over to another thread.
        var stream = new WriteRecordingStream();
        var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = Timeout.InfiniteTimeSpan });
        await using var channel = new WebSocketMessageChannel(socket);

        foreach (var text in new[] { "one", "two", "three" })
        {
            var send = channel.SendAsync(ChannelMessage.Text(text), default);
            send.IsCompletedSuccessfully.Should().BeTrue();
            await send;
        }

        // A server's text frame: FIN and opcode 1, the length, the payload (unmasked).
        stream.Written.Should().Equal(
            [0x81, 3, .. "one"u8.ToArray(), 0x81, 3, .. "two"u8.ToArray(), 0x81, 5, .. "three"u8.ToArray()]);
    }

    [Fact]
    public async Task Receive_FragmentedMessage_IsAssembled()
    {
        var (client, server) = await CreatePairAsync();
        await using var serverChannel = new WebSocketMessageChannel(server, new WebSocketMessageChannelOptions { MaxMessageSize = 100 });

        await client.SendAsync(Encoding.UTF8.GetBytes("frag"), WebSocketMessageType.Text, endOfMessage: false, default);
        await client.SendAsync(Encoding.UTF8.GetBytes("ment"), WebSocketMessageType.Text, endOfMessage: false, default);
        await client.SendAsync(Encoding.UTF8.GetBytes("ed"), WebSocketMessageType.Text, endOfMessage: true, default);

        (await serverChannel.ReceiveAsync(default).AsTask().WaitAsync(Guard))!.Value.GetText().Should().Be("fragmented");
    }

    [Fact]
    public async Task Receive_ExactlyTheLimit_IsAccepted()
    {
        var (client, server) = await CreatePairAsync();
        await using var serverChannel = new WebSocketMessageChannel(server, new WebSocketMessageChannelOptions { MaxMessageSize = 10_000 });

        await client.SendAsync(new byte[10_000], WebSocketMessageType.Binary, endOfMessage: true, default);

        (await serverChannel.ReceiveAsync(default).AsTask().WaitAsync(Guard))!.Value.Data.Length.Should().Be(10_000);
    }

    [Fact]
    public async Task Receive_EmptyMessages_ArriveAsEmptyMessagesOfTheirType()
    {
        // An empty final frame is complete at the zero-byte read that waits for it.
        var (client, server) = await CreatePairAsync();
        await using var serverChannel = new WebSocketMessageChannel(server, new WebSocketMessageChannelOptions { MaxMessageSize = 100 });

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
        await using var serverChannel = new WebSocketMessageChannel(server, new WebSocketMessageChannelOptions { MaxMessageSize = 60_000 });
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
        await using var serverChannel = new WebSocketMessageChannel(server, new WebSocketMessageChannelOptions { MaxMessageSize = 100 });
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
        await using var serverChannel = new WebSocketMessageChannel(server, new WebSocketMessageChannelOptions { MaxMessageSize = 1_000 });
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
        await using var serverChannel = new WebSocketMessageChannel(server, new WebSocketMessageChannelOptions { MaxMessageSize = 100 });
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
    public async Task Close_PeerNeverAnswers_GivesUpAfterTheCloseTimeoutOnTheTimeProvider()
    {
        var time = new FakeTimeProvider();
        var (client, server) = await CreatePairAsync();
        await using var serverChannel = new WebSocketMessageChannel(server, new WebSocketMessageChannelOptions { MaxMessageSize = 1_000, CloseTimeout = TimeSpan.FromSeconds(5), TimeProvider = time });

        var closing = serverChannel.CloseAsync(default).AsTask();
        (await client.ReceiveAsync(new byte[16], default).WaitAsync(Guard)).MessageType.Should().Be(WebSocketMessageType.Close);
        time.Advance(TimeSpan.FromSeconds(4.9));
        var early = closing.IsCompleted;
        time.Advance(TimeSpan.FromSeconds(0.1));
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
        var noOptions = () => new WebSocketMessageChannel(client, null!);
        var badLimit = () => new WebSocketMessageChannel(client, new WebSocketMessageChannelOptions { MaxMessageSize = 0 });
        var negativeCloseTimeout = () => new WebSocketMessageChannel(client, new WebSocketMessageChannelOptions { CloseTimeout = TimeSpan.FromSeconds(-1) });
        var noTimeProvider = () => new WebSocketMessageChannel(client, new WebSocketMessageChannelOptions { TimeProvider = null! });
        var noOutbox = () => new WebSocketMessageChannel(client, new WebSocketMessageChannelOptions { OutboxCapacity = 0 });
        var noOutboxBytes = () => new WebSocketMessageChannel(client, new WebSocketMessageChannelOptions { OutboxByteCapacity = 0 });
        var badMode = () => new WebSocketMessageChannel(client, new WebSocketMessageChannelOptions { OutboxFullMode = (OutboxFullMode)7 });

        noSocket.Should().Throw<ArgumentNullException>();
        noOptions.Should().Throw<ArgumentNullException>();
        badLimit.Should().Throw<ArgumentOutOfRangeException>();
        negativeCloseTimeout.Should().Throw<ArgumentOutOfRangeException>();
        noTimeProvider.Should().Throw<ArgumentNullException>();
        noOutbox.Should().Throw<ArgumentOutOfRangeException>();
        noOutboxBytes.Should().Throw<ArgumentOutOfRangeException>();
        badMode.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task TextOnly_BinaryMessage_ClosesWith1003AndAClearReason()
    {
        var (client, server) = await CreatePairAsync();
        await using var serverChannel = new WebSocketMessageChannel(server, new WebSocketMessageChannelOptions { TextOnly = true });

        await client.SendAsync(Encoding.UTF8.GetBytes("text"), WebSocketMessageType.Text, endOfMessage: true, default);
        await client.SendAsync(new byte[] { 1, 2 }, WebSocketMessageType.Binary, endOfMessage: true, default);

        (await serverChannel.ReceiveAsync(default).AsTask().WaitAsync(Guard))!.Value.GetText().Should().Be("text");
        await serverChannel.Invoking(c => c.ReceiveAsync(default).AsTask().WaitAsync(Guard)).Should().ThrowAsync<InvalidDataException>();
        var result = await client.ReceiveAsync(new byte[16], default).WaitAsync(Guard);
        result.MessageType.Should().Be(WebSocketMessageType.Close);
        client.CloseStatus.Should().Be(WebSocketCloseStatus.InvalidMessageType);
        client.CloseStatusDescription.Should().Be(WebSocketMessageChannel.TextOnlyCloseReason);
    }

    [Fact]
    public async Task Outbox_PeerStopsReading_CloseMode_RefusesSendsAndThePeerGets1008AfterTheFramesAlreadySent()
    {
        var time = new FakeTimeProvider();
        var (client, server) = await CreatePairAsync(smallBuffers: true);
        var channel = new WebSocketMessageChannel(server, new WebSocketMessageChannelOptions { OutboxCapacity = 4, TimeProvider = time });
        await using var _ = channel;
        var receiving = channel.ReceiveAsync(default).AsTask();

        var accepted = await SendUntilRefusedAsync(channel, 64 * 1024, limit: 1_000);

        channel.IsOverflowed.Should().BeTrue();
        (await receiving.WaitAsync(Guard)).Should().BeNull("after an overflow the receive ends at once, without aborting the socket");
        await channel.Invoking(c => c.SendAsync(ChannelMessage.Text("later"), default).AsTask()).Should().ThrowAsync<MessageChannelOverflowException>();
        var (frames, status, reason) = await ReadToCloseAsync(client);
        frames.Should().BeLessThanOrEqualTo(accepted, "the queued frames were dropped; only those already written arrive, then the close");
        status.Should().Be(WebSocketCloseStatus.PolicyViolation);
        reason.Should().Be(WebSocketMessageChannel.SlowConsumerCloseReason);
        var closing = channel.CloseAsync(default).AsTask();
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default);
        await closing.WaitAsync(Guard);
        server.State.Should().Be(WebSocketState.Closed, "the close handshake completed");
    }

    [Fact]
    public async Task Outbox_PeerNeverReads_CloseGivesUpWhenTheCloseTimeoutEnds_ThenTheSocketIsAborted()
    {
        var time = new FakeTimeProvider();
        var (_, server) = await CreatePairAsync(smallBuffers: true);
        var channel = new WebSocketMessageChannel(server, new WebSocketMessageChannelOptions { OutboxCapacity = 4, CloseTimeout = TimeSpan.FromSeconds(5), TimeProvider = time });

        await SendUntilRefusedAsync(channel, 64 * 1024, limit: 1_000);
        var closing = channel.CloseAsync(default).AsTask();
        time.Advance(TimeSpan.FromSeconds(4.9));
        var early = closing.IsCompleted;
        time.Advance(TimeSpan.FromSeconds(0.1));
        await closing.WaitAsync(Guard);
        await channel.DisposeAsync();

        early.Should().BeFalse("the close waits for the peer until the close timeout, counted from the overflow");
        server.State.Should().Be(WebSocketState.Aborted, "a peer that does not read never answers the close");
    }

    [Fact]
    public async Task Outbox_BoundedInBytes_OverflowsLongBeforeTheMessageBound()
    {
        var (_, server) = await CreatePairAsync(smallBuffers: true);
        await using var channel = new WebSocketMessageChannel(server, new WebSocketMessageChannelOptions { OutboxCapacity = 100_000, OutboxByteCapacity = 256 * 1024, TimeProvider = new FakeTimeProvider() });

        var accepted = await SendUntilRefusedAsync(channel, 64 * 1024, limit: 10_000);

        accepted.Should().BeLessThan(1_000, "64 KiB messages fill 256 KiB after 4 of them, plus what the socket buffers took");
        channel.IsOverflowed.Should().BeTrue();
    }

    [Fact]
    public async Task Outbox_DropNewestMode_DropsAndCountsWhatDoesNotFit_TheConnectionStays()
    {
        var (_, server) = await CreatePairAsync(smallBuffers: true);
        await using var channel = new WebSocketMessageChannel(server, new WebSocketMessageChannelOptions { OutboxCapacity = 2, OutboxFullMode = OutboxFullMode.DropNewest });

        for (var i = 0; i < 500; i++)
        {
            await channel.SendAsync(ChannelMessage.Binary(new byte[64 * 1024]), default);
        }

        channel.DroppedMessages.Should().BeGreaterThan(0);
        channel.IsOverflowed.Should().BeFalse();
        server.State.Should().Be(WebSocketState.Open);
    }

    [Fact]
    public async Task Send_AfterTheSocketFailed_ThrowsIOException()
    {
        var (_, server) = await CreatePairAsync();
        await using var channel = new WebSocketMessageChannel(server);
        server.Abort();

        // Queued; the send loop finds the socket aborted, and the close waits for the loop to end.
        await channel.SendAsync(ChannelMessage.Text("x"), default);
        await channel.CloseAsync(default).AsTask().WaitAsync(Guard);

        await channel.Invoking(c => c.SendAsync(ChannelMessage.Text("y"), default).AsTask()).Should().ThrowAsync<IOException>();
    }

    [Fact]
    public async Task CloseOutput_WhileAReceiveIsPending_SendsTheOutboxThen1000WithTheReason_AndTheReceiveEndsAtThePeersClose()
    {
        var (client, server) = await CreatePairAsync();
        await using var channel = new WebSocketMessageChannel(server);
        var receiving = channel.ReceiveAsync(default).AsTask();
        await channel.SendAsync(ChannelMessage.Text("a"), default);
        await channel.SendAsync(ChannelMessage.Text("b"), default);

        await channel.CloseOutputAsync("going away", default).AsTask().WaitAsync(Guard);
        var (frames, status, reason) = await ReadToCloseAsync(client);
        receiving.IsCompleted.Should().BeFalse("the receive waits for the peer's close; it was not cancelled");
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default);

        (await receiving.WaitAsync(Guard)).Should().BeNull();
        frames.Should().Be(2, "the outbox is written out before the close frame");
        status.Should().Be(WebSocketCloseStatus.NormalClosure);
        reason.Should().Be("going away");
        server.State.Should().Be(WebSocketState.Closed, "the handshake completed: nothing was reset");
    }

    [Fact]
    public async Task CloseOutput_PeerNeverAnswers_AbortsWhenTheCloseTimeoutEnds_AndThePendingReceiveEnds()
    {
        var time = new FakeTimeProvider();
        var (client, server) = await CreatePairAsync();
        await using var channel = new WebSocketMessageChannel(server, new WebSocketMessageChannelOptions { CloseTimeout = TimeSpan.FromSeconds(5), TimeProvider = time });
        var receiving = channel.ReceiveAsync(default).AsTask();

        await channel.CloseOutputAsync(null, default).AsTask().WaitAsync(Guard);
        (await client.ReceiveAsync(new byte[16], default).WaitAsync(Guard)).MessageType.Should().Be(WebSocketMessageType.Close);
        time.Advance(TimeSpan.FromSeconds(4.9));
        var early = receiving.IsCompleted;
        time.Advance(TimeSpan.FromSeconds(0.1));

        early.Should().BeFalse();
        await receiving.Invoking(r => r.WaitAsync(Guard)).Should().ThrowAsync<Exception>("the socket was aborted when the close timeout ended");
        server.State.Should().Be(WebSocketState.Aborted);
    }

    [Fact]
    public async Task CloseOutput_ReasonLongerThanACloseFrameCarries_Throws()
    {
        var (_, server) = await CreatePairAsync();
        await using var channel = new WebSocketMessageChannel(server);

        await channel.Invoking(c => c.CloseOutputAsync(new string('x', 124), default).AsTask()).Should().ThrowAsync<ArgumentException>();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Dispose_AfterTheSocketClosedItselfWith1007_WaitsTheCloseTimeoutBeforeDisposingItsStream(bool streamThrowsOnDispose)
    {
        var time = new FakeTimeProvider();
        var (client, server, serverStream) = await CreateRecordedPairAsync(streamThrowsOnDispose);
        var channel = new WebSocketMessageChannel(server, new WebSocketMessageChannelOptions { CloseTimeout = TimeSpan.FromSeconds(5), TimeProvider = time });

        // Invalid UTF-8 in a text frame: the socket sends its own close (1007), fails the receive and aborts itself.
        await client.SendAsync(new byte[] { (byte)'{', 0x80, 0xC0, 0xAF }, WebSocketMessageType.Text, endOfMessage: true, default);
        await channel.Invoking(c => c.ReceiveAsync(default).AsTask().WaitAsync(Guard)).Should().ThrowAsync<WebSocketException>();
        server.State.Should().Be(WebSocketState.Aborted);
        await channel.CloseAsync(default).AsTask().WaitAsync(Guard);
        await channel.DisposeAsync();
        var disposedAtOnce = serverStream.IsDisposed;
        // A collection before the timeout must not lose the late dispose: an unreferenced timer is collectable (a
        // System.Threading.Timer then never fires, and FakeTimeProvider's drops its callback).
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        // The late dispose runs on a timer thread, where a throwing stream (the request ended) must not end the process.
        time.Invoking(t => t.Advance(TimeSpan.FromSeconds(5))).Should().NotThrow();

        disposedAtOnce.Should().BeFalse("the close frame the socket wrote may still be in the transport's buffers, which disposing its stream drops");
        // The socket's own dispose of its stream may finish on another thread (the runtime's abort path): wait for it.
        await serverStream.Disposed.WaitAsync(Guard).ContinueWith(static _ => { }, TaskScheduler.Default);
        serverStream.IsDisposed.Should().BeTrue("the socket is disposed once the close timeout has passed");
        (await client.ReceiveAsync(new byte[16], default).WaitAsync(Guard)).MessageType.Should().Be(WebSocketMessageType.Close);
        client.CloseStatus.Should().Be(WebSocketCloseStatus.InvalidPayloadData);
    }

    [Fact]
    public async Task Receive_CancelledWhileWaiting_ThrowsOperationCanceled_AndAbortsTheSocket()
    {
        var (_, server) = await CreatePairAsync();
        await using var channel = new WebSocketMessageChannel(server);
        using var cancel = new CancellationTokenSource();
        var receiving = channel.ReceiveAsync(cancel.Token).AsTask();

        await cancel.CancelAsync();

        await FluentActions.Awaiting(() => receiving.WaitAsync(Guard)).Should().ThrowAsync<OperationCanceledException>();
        server.State.Should().Be(WebSocketState.Aborted, "a WebSocket cannot stop a receive half way: cancelling one aborts the socket");
    }

    // What a channel keeps while its receive waits, which is what an idle connection holds at rest. Another pair warms up
    // the code paths first, and the socket has received and sent once before the channel wraps it, so that only the
    // channel's objects are counted, not the socket's first registration with the OS's event loop. The least of five
    // fresh channels is taken (Allocations.LeastOfFiveAsync).
    [Fact]
    public async Task NewChannel_WithItsReceiveWaiting_AllocatesAtMost1250Bytes() =>
        (await LeastNewChannelAllocationAsync(sendFirst: false)).Should().BeLessThanOrEqualTo(1_250);

    // A connection that has sent keeps what its sends left behind: with a token on every send, a cancellation source
    // with the registrations of the socket and its stream.
    [Fact]
    public async Task NewChannel_AfterASend_WithItsReceiveWaiting_AllocatesAtMost1700Bytes() =>
        (await LeastNewChannelAllocationAsync(sendFirst: true)).Should().BeLessThanOrEqualTo(1_700);

    private async Task<long> LeastNewChannelAllocationAsync(bool sendFirst)
    {
        await ReceiveOnceAndWaitAsync();
        return await Allocations.LeastOfFiveAsync(() => NewChannelAllocationAsync(sendFirst));
    }

    // The bytes allocated on this thread to make a channel over a used socket, optionally send one message, and start a
    // receive that waits; then checks that the channel works.
    private async Task<long> NewChannelAllocationAsync(bool sendFirst)
    {
        var (warmClient, warmServer) = await CreatePairAsync();
        await using var warm = new WebSocketMessageChannel(warmServer);
        var (client, server) = await CreateUsedPairAsync();
        using var stop = new CancellationTokenSource();

        // A send on this thread first: what a thread sets up once for sending (its share of the buffer pool) is not
        // what a connection keeps.
        await warm.SendAsync(ChannelMessage.Text("warm"), default);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var channel = new WebSocketMessageChannel(server);
        var sent = sendFirst ? channel.SendAsync(ChannelMessage.Text("hello"), default) : ValueTask.CompletedTask;
        var receiving = channel.ReceiveAsync(stop.Token);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        await using (channel)
        {
            await sent;
            receiving.IsCompleted.Should().BeFalse("nothing was sent to it yet");
            await using var clientChannel = new WebSocketMessageChannel(client);
            if (sendFirst)
            {
                (await clientChannel.ReceiveAsync(default).AsTask().WaitAsync(Guard))!.Value.GetText().Should().Be("hello");
            }

            await clientChannel.SendAsync(ChannelMessage.Text("then"), default);
            (await receiving.AsTask().WaitAsync(Guard))!.Value.GetText().Should().Be("then");
        }

        GC.KeepAlive(warmClient);
        return allocated;
    }

    // A pair whose sockets have each sent and received one message already.
    private async Task<(WebSocket Client, WebSocket Server)> CreateUsedPairAsync()
    {
        var (client, server) = await CreatePairAsync();
        var buffer = new byte[16];
        await client.SendAsync("x"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, default);
        (await server.ReceiveAsync(buffer, default).WaitAsync(Guard)).EndOfMessage.Should().BeTrue();
        await server.SendAsync("y"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, default);
        (await client.ReceiveAsync(buffer, default).WaitAsync(Guard)).EndOfMessage.Should().BeTrue();
        return (client, server);
    }

    private async Task ReceiveOnceAndWaitAsync()
    {
        var (client, server) = await CreatePairAsync();
        await using var clientChannel = new WebSocketMessageChannel(client);
        await using var serverChannel = new WebSocketMessageChannel(server);
        using var stop = new CancellationTokenSource();
        var first = serverChannel.ReceiveAsync(stop.Token).AsTask();
        await clientChannel.SendAsync(ChannelMessage.Text("warm"), default);
        await first.WaitAsync(Guard);
        var second = serverChannel.ReceiveAsync(stop.Token).AsTask();
        await clientChannel.SendAsync(ChannelMessage.Text("warm"), default);
        await second.WaitAsync(Guard);
        await serverChannel.SendAsync(ChannelMessage.Text("warm"), default);
        await clientChannel.ReceiveAsync(default).AsTask().WaitAsync(Guard);
    }

    // An idle connection is a receive that waits: what starting one allocates stays with the connection until its next
    // message. Counted in bytes allocated on this thread (all of it happens before ReceiveAsync returns), so the figure
    // does not depend on the machine's speed.
    [Fact]
    public async Task Receive_ThatWaits_AllocatesAtMost350Bytes()
    {
        var (client, server) = await CreatePairAsync();
        await using var clientChannel = new WebSocketMessageChannel(client);
        await using var serverChannel = new WebSocketMessageChannel(server);
        using var stop = new CancellationTokenSource();
        for (var i = 0; i < 3; i++)
        {
            var warm = serverChannel.ReceiveAsync(stop.Token).AsTask();
            await clientChannel.SendAsync(ChannelMessage.Text("warm"), default);
            (await warm.WaitAsync(Guard))!.Value.GetText().Should().Be("warm");
        }

        var least = await Allocations.LeastOfFiveAsync(async () =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var receiving = serverChannel.ReceiveAsync(stop.Token);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            receiving.IsCompleted.Should().BeFalse("nothing was sent yet");
            await clientChannel.SendAsync(ChannelMessage.Text("then"), default);
            (await receiving.AsTask().WaitAsync(Guard))!.Value.GetText().Should().Be("then");
            return allocated;
        });

        least.Should().BeLessThanOrEqualTo(350);
    }

    // Sends messages of the given size until the channel refuses one with an overflow; returns how many it took.
    private static async Task<int> SendUntilRefusedAsync(WebSocketMessageChannel channel, int size, int limit)
    {
        for (var i = 0; i < limit; i++)
        {
            try
            {
                await channel.SendAsync(ChannelMessage.Binary(new byte[size]), default);
            }
            catch (MessageChannelOverflowException)
            {
                return i;
            }

            // Let the send loop run, so that what the socket takes leaves the outbox.
            await Task.Yield();
        }

        throw new InvalidOperationException($"The outbox never overflowed in {limit} sends.");
    }

    private static async Task<(int Frames, WebSocketCloseStatus? Status, string? Reason)> ReadToCloseAsync(WebSocket socket)
    {
        var buffer = new byte[128 * 1024];
        var frames = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, default).WaitAsync(Guard);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (frames, socket.CloseStatus, socket.CloseStatusDescription);
            }

            if (result.EndOfMessage)
            {
                frames++;
            }
        }
    }

    [Fact]
    public async Task RemoteEdits_OverARealWebSocket_AreAccepted()
    {
        var (clientSocket, serverSocket) = await CreatePairAsync();
        var clock = new TestClock();
        var protocol = new EditWireProtocol().WithCommand(TestJson.Default.PostMessage);
        using var edits = new EditSet<PostMessage>(EditSetOptions.Default, clock);
        using var client = new RemoteEditClient<PostMessage>(edits, RemoteEditOptions.Default, clock);
        using var server = new RemoteEditServer().Handle<PostMessage>((_, _, _) => Task.CompletedTask);
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

    // A pair whose server socket runs over a stream that records its disposal.
    private async Task<(WebSocket Client, WebSocket Server, DisposalRecordingStream ServerStream)> CreateRecordedPairAsync(bool throwOnDispose)
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
            var serverStream = new DisposalRecordingStream(accepted.GetStream(), throwOnDispose);
            var server = WebSocket.CreateFromStream(serverStream, new WebSocketCreationOptions { IsServer = true });
            var client = WebSocket.CreateFromStream(tcpClient.GetStream(), new WebSocketCreationOptions { IsServer = false });
            _resources.Add(client);
            return (client, server, serverStream);
        }
        finally
        {
            listener.Stop();
        }
    }

    private async Task<(WebSocket Client, WebSocket Server)> CreatePairAsync(bool smallBuffers = false)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var tcpClient = new TcpClient();
            if (smallBuffers)
            {
                // A peer that stops reading fills these soon, so the sender's writes block.
                tcpClient.ReceiveBufferSize = 4096;
            }

            _resources.Add(tcpClient);
            var connecting = tcpClient.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
            var accepted = await listener.AcceptTcpClientAsync().WaitAsync(Guard);
            if (smallBuffers)
            {
                accepted.SendBufferSize = 4096;
            }

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
