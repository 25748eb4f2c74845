using System.Globalization;

namespace Reactive.Edits.Remote.Tests;

// The connection's outbox through its public face, RemoteEditConnection.Outgoing: what a transport's send loop sees.
public sealed class ConnectionOutboxTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task WaitToRead_PendingWhenAPostArrives_EndsWithTrueAndTheReaderGetsIt()
    {
        var connection = new RemoteEditConnection("c", null);

        var waiting = connection.Outgoing.WaitToReadAsync(CancellationToken.None).AsTask();
        waiting.IsCompleted.Should().BeFalse();
        connection.TryPost(ChannelMessage.Text("a")).Should().BeTrue();

        (await waiting.WaitAsync(Guard)).Should().BeTrue();
        connection.Outgoing.TryRead(out var message).Should().BeTrue();
        message.GetText().Should().Be("a");
    }

    [Fact]
    public async Task WaitToRead_AfterACloseWithMessagesQueued_ReadsThemAllThenEnds()
    {
        var connection = new RemoteEditConnection("c", null);
        connection.TryPost(ChannelMessage.Text("a"));
        connection.TryPost(ChannelMessage.Text("b"));

        connection.Close();

        var read = new List<string>();
        while (await connection.Outgoing.WaitToReadAsync(CancellationToken.None).AsTask().WaitAsync(Guard))
        {
            while (connection.Outgoing.TryRead(out var message))
            {
                read.Add(message.GetText());
            }
        }

        read.Should().Equal("a", "b");
        connection.TryPost(ChannelMessage.Text("c")).Should().BeFalse();
        await connection.Outgoing.Completion.WaitAsync(Guard);
    }

    [Fact]
    public async Task WaitToRead_PendingWhenClosed_EndsWithFalse()
    {
        var connection = new RemoteEditConnection("c", null);
        var waiting = connection.Outgoing.WaitToReadAsync(CancellationToken.None).AsTask();
        var completion = connection.Outgoing.Completion;

        connection.Close();

        (await waiting.WaitAsync(Guard)).Should().BeFalse();
        await completion.WaitAsync(Guard);
    }

    [Fact]
    public async Task WaitToRead_Cancelled_ThrowsAndTheNextWaitStillSeesPosts()
    {
        var connection = new RemoteEditConnection("c", null);
        using var cancel = new CancellationTokenSource();
        var waiting = connection.Outgoing.WaitToReadAsync(cancel.Token).AsTask();

        await cancel.CancelAsync();

        await FluentActions.Awaiting(() => waiting.WaitAsync(Guard)).Should().ThrowAsync<OperationCanceledException>();
        var next = connection.Outgoing.WaitToReadAsync(CancellationToken.None).AsTask();
        connection.TryPost(ChannelMessage.Text("after")).Should().BeTrue();
        (await next.WaitAsync(Guard)).Should().BeTrue();
    }

    [Fact]
    public async Task WaitToRead_WithACancelledToken_ThrowsAtOnce()
    {
        var connection = new RemoteEditConnection("c", null);
        connection.TryPost(ChannelMessage.Text("a"));

        var waiting = connection.Outgoing.WaitToReadAsync(new CancellationToken(canceled: true));

        await FluentActions.Awaiting(() => waiting.AsTask()).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public void WaitToRead_SecondWaitWhileOneIsPending_Throws()
    {
        var connection = new RemoteEditConnection("c", null);
        _ = connection.Outgoing.WaitToReadAsync(CancellationToken.None);

        var second = () => connection.Outgoing.WaitToReadAsync(CancellationToken.None);

        second.Should().Throw<InvalidOperationException>().WithMessage("*one reader*");
    }

    [Fact]
    public void CountAndPeek_SeeTheQueueWithoutTakingFromIt()
    {
        var connection = new RemoteEditConnection("c", null);
        connection.TryPost(ChannelMessage.Text("a"));
        connection.TryPost(ChannelMessage.Text("b"));

        connection.Outgoing.Count.Should().Be(2);
        connection.Outgoing.TryPeek(out var first).Should().BeTrue();
        first.GetText().Should().Be("a");
        connection.Outgoing.Count.Should().Be(2);
    }

    // A lost wake-up would leave the reader waiting with messages queued: the guard would end the test.
    [Fact]
    public async Task ManyWriters_OneReader_EveryMessageArrivesOnce_InEachWritersOrder()
    {
        const int Writers = 4;
        const int PerWriter = 5_000;
        var connection = new RemoteEditConnection("c", null, outboxCapacity: Writers * PerWriter);
        var received = new List<string>(Writers * PerWriter);
        var reader = Task.Run(async () =>
        {
            while (received.Count < Writers * PerWriter && await connection.Outgoing.WaitToReadAsync(CancellationToken.None))
            {
                while (connection.Outgoing.TryRead(out var message))
                {
                    received.Add(message.GetText());
                }
            }
        });

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(() =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                connection.TryPost(ChannelMessage.Text(string.Create(CultureInfo.InvariantCulture, $"{writer}:{i}"))).Should().BeTrue();
            }
        })));
        await reader.WaitAsync(Guard);

        received.Should().HaveCount(Writers * PerWriter);
        foreach (var writer in Enumerable.Range(0, Writers))
        {
            received.Where(text => text.StartsWith(string.Create(CultureInfo.InvariantCulture, $"{writer}:"), StringComparison.Ordinal))
                .Select(text => int.Parse(text.AsSpan(text.IndexOf(':', StringComparison.Ordinal) + 1), CultureInfo.InvariantCulture))
                .Should().Equal(Enumerable.Range(0, PerWriter));
        }
    }

    // What an idle connection keeps: on a server with many quiet clients this is per-connection memory at rest. Counted
    // in bytes allocated on this thread, so the figure does not depend on the machine's speed.
    [Fact]
    public void IdleConnection_WithItsSendLoopWaiting_AllocatesAtMost450Bytes()
    {
        using var stop = new CancellationTokenSource();
        WaitIdle(stop.Token);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var connection = WaitIdle(stop.Token);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        GC.KeepAlive(connection);
        allocated.Should().BeLessThanOrEqualTo(450);
    }

    private static RemoteEditConnection WaitIdle(CancellationToken stop)
    {
        var connection = new RemoteEditConnection("c", null);
        _ = connection.Outgoing.WaitToReadAsync(stop);
        return connection;
    }
}
