namespace Reactive.Edits.Remote.Tests;

public sealed class ServerChannelDriverTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RunAsync_TransportOutboxOverflows_MarksTheConnectionOverflowedAndEnds()
    {
        using var server = new RemoteEditServer<PostMessage>(static (_, _, _) => Task.CompletedTask);
        var connection = new RemoteEditConnection("c1", null);
        var channel = new OverflowingChannel();
        var run = server.RunAsync(connection, channel, new EditWireProtocol<PostMessage>(TestJson.Default.PostMessage), null, default);

        connection.TryPost(ChannelMessage.Text("{}"));

        await run.WaitAsync(Guard);
        connection.Overflowed.Should().BeTrue();
        connection.Closed.IsCancellationRequested.Should().BeTrue();
    }

    // A transport whose bounded outbox is always full; its receive waits until the driver stops it.
    private sealed class OverflowingChannel : IMessageChannel
    {
        public ValueTask SendAsync(ChannelMessage message, CancellationToken cancellationToken) =>
            ValueTask.FromException(new MessageChannelOverflowException());

        public async ValueTask<ChannelMessage?> ReceiveAsync(CancellationToken cancellationToken)
        {
            var stopped = new TaskCompletionSource<ChannelMessage?>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var registration = cancellationToken.Register(() => stopped.TrySetCanceled(cancellationToken));
            return await stopped.Task;
        }

        public ValueTask CloseAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
