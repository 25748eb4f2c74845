using ChatServer.Storage;
using ChatServer.Tests.Support;
using Reactive.Edits.Remote;

namespace ChatServer.Tests.Redis;

/// <summary>The Redis message log against a real <c>redis-server</c> of the test's own, with two connections standing
/// for two chat nodes.</summary>
public sealed class RedisMessageLogTests
{
    [SkippableFact]
    public async Task AppendAsync_TwoNodesAtOnce_BothFeedsSeeOneOrderWithoutGaps()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await RedisNode.ConnectAsync(redis);
        await using var b = await RedisNode.ConnectAsync(redis);
        await using var feedA = a.Feed();
        await using var feedB = b.Feed();
        const int PerNode = 100;

        var sends = Enumerable.Range(0, PerNode)
            .SelectMany(i => new[] { a.Log.AppendAsync(Guid.NewGuid(), "ann", $"a{i}"), b.Log.AppendAsync(Guid.NewGuid(), "bob", $"b{i}") })
            .ToList();
        var appended = await Task.WhenAll(sends);
        var seenByA = await feedA.WaitForAsync(2 * PerNode);
        var seenByB = await feedB.WaitForAsync(2 * PerNode);

        appended.Should().OnlyContain(result => result.Appended);
        appended.Select(result => result.Message.Sequence).Should().BeEquivalentTo(Enumerable.Range(1, 2 * PerNode).Select(i => (long)i));
        seenByA.Select(m => m.Sequence).Should().Equal(Enumerable.Range(1, 2 * PerNode).Select(i => (long)i));
        seenByB.Should().Equal(seenByA);
        seenByA.Should().BeEquivalentTo(appended.Select(result => result.Message), "each feed delivers every stored message once, as stored");
        (await a.Log.RecentAsync(2 * PerNode)).Should().Equal(seenByA);
    }

    [SkippableFact]
    public async Task AppendAsync_ResendToTheOtherNode_GetsTheFirstMessageAndStoresOnce()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await RedisNode.ConnectAsync(redis);
        await using var b = await RedisNode.ConnectAsync(redis);
        var id = Guid.NewGuid();

        var first = await a.Log.AppendAsync(id, "ann", "hello");
        var resent = await b.Log.AppendAsync(id, "ann", "hello");
        var next = await b.Log.AppendAsync(Guid.NewGuid(), "bob", "next");

        first.Appended.Should().BeTrue();
        resent.Appended.Should().BeFalse();
        resent.Message.Should().Be(first.Message);
        next.Message.Sequence.Should().Be(2, "the resend took no sequence");
        (await a.Log.RecentAsync(10)).Should().Equal(first.Message, next.Message);
    }

    [SkippableFact]
    public async Task AppendAsync_SameIdWithOtherText_IsRefusedAsConflictingAndStoresNothing()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await RedisNode.ConnectAsync(redis);
        await using var b = await RedisNode.ConnectAsync(redis);
        var id = Guid.NewGuid();
        var first = await a.Log.AppendAsync(id, "ann", "hello");

        var conflicting = () => b.Log.AppendAsync(id, "ann", "hello, edited");

        (await conflicting.Should().ThrowAsync<RemoteEditRejectedException>()).Which.Error.Code.Should().Be(RemoteErrorCodes.ConflictingCommand);
        (await a.Log.RecentAsync(10)).Should().Equal(first.Message);
    }

    [SkippableFact]
    public async Task AppendAsync_RedisKilledAndRestarted_EveryAcknowledgedMessageIsKept()
    {
        await using var redis = await RedisServer.StartAsync();
        const int Count = 200;
        List<RedisAppendResultView> acknowledged;
        await using (var node = await RedisNode.ConnectAsync(redis))
        {
            // Concurrent appends, so that the kill finds writes in flight on the server's side too.
            var results = await Task.WhenAll(Enumerable.Range(0, Count).Select(i => node.Log.AppendAsync(Guid.NewGuid(), "ann", $"m{i}")));
            acknowledged = [.. results.Select(result => new RedisAppendResultView(result.Message.Id, result.Message.Sequence))];
            await redis.KillAsync();
        }

        await redis.RestartAsync();
        await using var after = await RedisNode.ConnectAsync(redis);
        var kept = await after.Log.RecentAsync(Count + 10);
        var next = await after.Log.AppendAsync(Guid.NewGuid(), "bob", "after the restart");

        kept.Select(m => new RedisAppendResultView(m.Id, m.Sequence)).Should().BeEquivalentTo(acknowledged);
        next.Message.Sequence.Should().Be(Count + 1, "the sequence counter was replayed with the messages");
    }

    [SkippableFact]
    public async Task Feed_RedisKilledAndRestarted_ResumesWithoutGapOrDuplicate()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var node = await RedisNode.ConnectAsync(redis);
        await using var feed = node.Feed();
        for (var i = 0; i < 5; i++)
        {
            await node.Log.AppendAsync(Guid.NewGuid(), "ann", $"before {i}");
        }
        await feed.WaitForAsync(5);

        await redis.KillAsync();
        await Faults.Eventually.HoldsAsync(
            () => feed.Feed.Outages > 0, "the feed noticed that Redis is gone", node.Logs.Written, TimeSpan.FromSeconds(20));
        await redis.RestartAsync();
        // Another node writes while this one may still be reconnecting.
        await using (var other = await RedisNode.ConnectAsync(redis))
        {
            for (var i = 0; i < 5; i++)
            {
                await other.Log.AppendAsync(Guid.NewGuid(), "bob", $"after {i}");
            }
        }
        var delivered = await feed.WaitForAsync(10);

        delivered.Select(m => m.Sequence).Should().Equal(Enumerable.Range(1, 10).Select(i => (long)i));
        delivered.Skip(5).Select(m => m.Text).Should().Equal(Enumerable.Range(0, 5).Select(i => $"after {i}"));
        feed.Feed.Outages.Should().Be(1);
        feed.Feed.Completion.IsCompleted.Should().BeFalse("the feed keeps running");
    }

    [SkippableFact]
    public async Task AppendAsync_WhileRedisIsDown_FailsAtOnceAsUnavailableAndIsNotSentWhenRedisReturns()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var node = await RedisNode.ConnectAsync(redis);
        var before = await node.Log.AppendAsync(Guid.NewGuid(), "ann", "before");
        await redis.KillAsync();

        var whileDown = node.Log.AppendAsync(Guid.NewGuid(), "ann", "while down");
        await redis.RestartAsync();
        await node.WaitUntilConnectedAsync();

        await FluentActions.Awaiting(() => whileDown).Should().ThrowAsync<StorageUnavailableException>();
        (await node.Log.RecentAsync(10)).Should().Equal(before.Message);
    }

    private sealed record RedisAppendResultView(Guid Id, long Sequence);
}
