namespace Reactive.Edits.Tests.Internal;

/// <summary>The one drain loop: items run one at a time in queue order, re-entrant items wait their turn, and a fault either stops the queue or leaves the rest queued.</summary>
public sealed class SerialQueueTests
{
    private readonly List<string> _ran = [];

    [Fact]
    public void Run_ItemQueuedFromInsideAnItem_RunsAfterItNotNested()
    {
        SerialQueue<string>? queue = null;
        queue = new SerialQueue<string>(item =>
        {
            _ran.Add($"start {item}");
            if (item == "a")
            {
                queue!.Run("b");
            }

            _ran.Add($"end {item}");
        });

        queue.Run("a");

        _ran.Should().Equal("start a", "end a", "start b", "end b");
    }

    [Fact]
    public void Run_StopForeverAfterAFault_IgnoresEveryLaterItem()
    {
        var queue = new SerialQueue<string>(item =>
        {
            _ran.Add(item);
            if (item == "bad")
            {
                throw new InvalidOperationException(item);
            }
        });

        var act = () => queue.Run("bad");

        act.Should().Throw<InvalidOperationException>();
        queue.Run("later");
        _ran.Should().Equal("bad");
    }

    [Fact]
    public void Drain_KeepQueuedAfterAFault_LeavesTheRestForTheNextCallerInOrder()
    {
        var gate = new object();
        SerialQueue<string>? queue = null;
        queue = new SerialQueue<string>(gate, item =>
        {
            _ran.Add(item);
            if (item == "bad")
            {
                lock (gate)
                {
                    queue!.Enqueue("queued behind the fault").Should().BeFalse("the faulting item is still draining");
                }

                throw new InvalidOperationException(item);
            }
        }, SerialQueueFault.KeepQueued);

        lock (gate)
        {
            queue.TryBeginDirect().Should().BeTrue();
        }

        var act = () => queue.Drain("bad");
        act.Should().Throw<InvalidOperationException>();
        _ran.Should().Equal("bad");

        bool drain;
        lock (gate)
        {
            queue.TryBeginDirect().Should().BeFalse("an item is still queued, and must run first");
            drain = queue.Enqueue("next");
        }

        drain.Should().BeTrue();
        queue.Drain();
        _ran.Should().Equal("bad", "queued behind the fault", "next");
    }
}
