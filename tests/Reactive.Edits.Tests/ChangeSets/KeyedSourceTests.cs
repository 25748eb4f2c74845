using System.Reactive.Linq;
using Reactive.Edits.ChangeSets;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Tests.ChangeSets;

public sealed class KeyedSourceTests
{
    private static KeyedSource<Item, int> NewSource() => new(static item => item.Id);

    [Fact]
    public void Constructor_NullKeySelector_Throws()
    {
        var act = () => new KeyedSource<Item, int>(null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("keySelector");
    }

    [Fact]
    public void Connect_NonEmptySource_ReplaysCurrentItemsAsOneChangeSetOfAdds()
    {
        using var source = NewSource();
        source.AddOrUpdate(new Item(1, "a"));
        source.AddOrUpdate(new Item(2, "b"));
        source.AddOrUpdate(new Item(1, "a2"));

        using var recorder = source.Connect().Record();

        recorder.Values.Should().ContainSingle();
        var replay = recorder.Values[0];
        replay.Adds.Should().Be(2);
        replay.Count.Should().Be(2);
        replay.Select(static c => c.Current).Should().BeEquivalentTo([new Item(1, "a2"), new Item(2, "b")]);
        replay.Should().OnlyContain(static c => c.Reason == ChangeReason.Add && !c.HasPrevious);
    }

    [Fact]
    public void Connect_EmptySource_EmitsNothingUntilTheFirstEdit()
    {
        using var source = NewSource();
        using var recorder = source.Connect().Record();

        recorder.Values.Should().BeEmpty();

        source.AddOrUpdate(new Item(1, "a"));

        recorder.Values.Should().ContainSingle().Which.Should().Equal(new Change<Item, int>(ChangeReason.Add, 1, new Item(1, "a")));
    }

    [Fact]
    public void Connect_AfterReplay_StreamsEachEditAsItsOwnChangeSet()
    {
        using var source = NewSource();
        source.AddOrUpdate(new Item(1, "a"));
        using var recorder = source.Connect().Record();

        source.AddOrUpdate(new Item(2, "b"));
        source.AddOrUpdate(new Item(1, "a2"));
        source.Remove(2);

        recorder.Values.Should().HaveCount(4);
        recorder.Values[1].Should().Equal(new Change<Item, int>(ChangeReason.Add, 2, new Item(2, "b")));
        recorder.Values[2].Should().Equal(new Change<Item, int>(ChangeReason.Update, 1, new Item(1, "a2"), new Item(1, "a")));
        recorder.Values[3].Should().Equal(new Change<Item, int>(ChangeReason.Remove, 2, new Item(2, "b")));
        recorder.Violations.Should().BeEmpty();
    }

    [Fact]
    public void Connect_EachSubscription_GetsItsOwnReplay()
    {
        using var source = NewSource();
        source.AddOrUpdate(new Item(1, "a"));
        using var first = source.Connect().Record();
        source.AddOrUpdate(new Item(2, "b"));

        using var second = source.Connect().Record();

        first.Values.Should().HaveCount(2);
        second.Values.Should().ContainSingle().Which.Adds.Should().Be(2);
    }

    [Fact]
    public void Edit_Batch_PublishesOneChangeSetInOrder()
    {
        using var source = NewSource();
        source.AddOrUpdate(new Item(1, "a"));
        using var recorder = source.Connect().Record();

        source.Edit(static updater =>
        {
            updater.AddOrUpdate(new Item(2, "b"));
            updater.AddOrUpdate(new Item(1, "a2"));
            updater.Remove(2).Should().BeTrue();
            updater.Refresh(1).Should().BeTrue();
            updater.Count.Should().Be(1);
        });

        recorder.Values.Should().HaveCount(2);
        var batch = recorder.Values[1];
        batch.Select(static c => c.ToString()).Should().Equal("Add 2", "Update 1", "Remove 2", "Refresh 1");
        (batch.Adds, batch.Updates, batch.Removes, batch.Refreshes).Should().Be((1, 1, 1, 1));
    }

    [Fact]
    public void Edit_NoEffectiveChange_PublishesNothing()
    {
        using var source = NewSource();
        using var recorder = source.Connect().Record();

        source.Edit(static updater =>
        {
            updater.Remove(7).Should().BeFalse();
            updater.Refresh(7).Should().BeFalse();
            updater.Clear();
        });

        recorder.Values.Should().BeEmpty();
    }

    [Fact]
    public void Edit_UpdateThrows_PublishesTheEditsMadeBeforeAndRethrows()
    {
        using var source = NewSource();
        using var recorder = source.Connect().Record();

        var act = () => source.Edit(static updater =>
        {
            updater.AddOrUpdate(new Item(1, "a"));
            throw new InvalidOperationException("boom");
        });

        act.Should().Throw<InvalidOperationException>().WithMessage("boom");
        recorder.Values.Should().ContainSingle().Which.Should().Equal(new Change<Item, int>(ChangeReason.Add, 1, new Item(1, "a")));
        source.Items.Should().Equal(new Item(1, "a"));
    }

    [Fact]
    public void Edit_NestedEdit_PublishesOneChangeSetWithEveryChangeWhenTheOutermostEnds()
    {
        using var source = NewSource();
        using var recorder = source.Connect().Record();
        var publishedBeforeTheOutermostEnded = -1;

        source.Edit(outer =>
        {
            outer.AddOrUpdate(new Item(1, "a"));
            source.Edit(static inner => inner.AddOrUpdate(new Item(2, "b")));
            source.AddOrUpdate(new Item(4, "d"));
            source.Remove(4).Should().BeTrue();
            outer.AddOrUpdate(new Item(3, "c"));
            publishedBeforeTheOutermostEnded = recorder.Values.Count;
        });

        recorder.Values.Select(static changes => string.Join(", ", changes.Select(static c => c.ToString())))
            .Should().Equal("Add 1, Add 2, Add 4, Remove 4, Add 3");
        publishedBeforeTheOutermostEnded.Should().Be(0);
        recorder.Violations.Should().BeEmpty();
        source.Items.Select(static item => item.Id).Should().BeEquivalentTo([1, 2, 3]);
    }

    [Fact]
    public void Edit_NestedEditThrowsAndTheOuterCatches_KeepsItsChangesInTheOuterBatch()
    {
        using var source = NewSource();
        using var recorder = source.Connect().Record();

        source.Edit(outer =>
        {
            outer.AddOrUpdate(new Item(1, "a"));
            var nested = () => source.Edit(static inner =>
            {
                inner.AddOrUpdate(new Item(2, "b"));
                throw new InvalidOperationException("boom");
            });
            nested.Should().Throw<InvalidOperationException>();
            outer.AddOrUpdate(new Item(3, "c"));
        });

        recorder.Values.Should().ContainSingle().Which.Select(static c => c.ToString()).Should().Equal("Add 1", "Add 2", "Add 3");
    }

    [Fact]
    public async Task Edit_AnotherThreadEditsDuringABatch_IsNotNestedAndPublishesItsOwnChangeSetAfterIt()
    {
        using var source = NewSource();
        using var recorder = source.Connect().Record();
        var otherDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var other = new Thread(() =>
        {
            source.AddOrUpdate(new Item(2, "other thread"));
            otherDone.SetResult();
        })
        {
            IsBackground = true,
        };

        source.Edit(outer =>
        {
            outer.AddOrUpdate(new Item(1, "a"));
            other.Start();

            // The other thread's edit is blocked on the source's gate for as long as this batch runs.
            SpinWait.SpinUntil(() => (other.ThreadState & ThreadState.WaitSleepJoin) != 0, EditOutcomes.Guard).Should().BeTrue();
            outer.AddOrUpdate(new Item(3, "c"));
        });
        await otherDone.Task.WaitAsync(EditOutcomes.Guard);

        recorder.Values.Select(static changes => changes.Select(static c => c.ToString()).ToArray())
            .Should().BeEquivalentTo(new[] { new[] { "Add 1", "Add 3" }, ["Add 2"] }, static options => options.WithStrictOrdering());
        recorder.Violations.Should().BeEmpty();
    }

    [Fact]
    public void Remove_PresentKey_PublishesRemoveCarryingTheItem()
    {
        using var source = NewSource();
        source.AddOrUpdate(new Item(1, "a"));
        using var recorder = source.Connect().Record();

        source.Remove(1).Should().BeTrue();

        recorder.Values[^1].Should().Equal(new Change<Item, int>(ChangeReason.Remove, 1, new Item(1, "a")));
        source.Count.Should().Be(0);
        source.TryGetValue(1, out _).Should().BeFalse();
    }

    [Fact]
    public void Remove_AbsentKey_ReturnsFalseAndPublishesNothing()
    {
        using var source = NewSource();
        using var recorder = source.Connect().Record();

        source.Remove(1).Should().BeFalse();

        recorder.Values.Should().BeEmpty();
    }

    [Fact]
    public void Refresh_PresentKey_PublishesRefreshOfTheSameItem()
    {
        using var source = NewSource();
        var item = new Item(1, "a");
        source.AddOrUpdate(item);
        using var recorder = source.Connect().Record();

        source.Edit(static updater => updater.Refresh(1));

        var change = recorder.Values[^1].Should().ContainSingle().Subject;
        change.Reason.Should().Be(ChangeReason.Refresh);
        change.Current.Should().BeSameAs(item);
        change.HasPrevious.Should().BeFalse();
    }

    [Fact]
    public void Clear_PublishesOneChangeSetRemovingEveryItem()
    {
        using var source = NewSource();
        source.Edit(static updater => updater.AddOrUpdate([new Item(1, "a"), new Item(2, "b"), new Item(3, "c")]));
        using var recorder = source.Connect().Record();

        source.Edit(static updater => updater.Clear());

        var cleared = recorder.Values[^1];
        cleared.Removes.Should().Be(3);
        cleared.Count.Should().Be(3);
        cleared.Select(static c => c.Key).Should().BeEquivalentTo([1, 2, 3]);
        source.Items.Should().BeEmpty();
    }

    [Fact]
    public void AddOrUpdate_NullKey_ThrowsAndPublishesNothing()
    {
        using var source = new KeyedSource<Item, string>(static item => item.Name);
        using var recorder = source.Connect().Record();

        var act = () => source.AddOrUpdate(new Item(1, null!));

        act.Should().Throw<ArgumentNullException>();
        recorder.Values.Should().BeEmpty();
    }

    [Fact]
    public void OnNext_ReentrantEdit_IsDeliveredAfterTheCurrentNotificationReturns()
    {
        using var source = NewSource();
        var log = new List<string>();
        var depth = 0;
        using var subscription = source.Connect().Subscribe(changes =>
        {
            depth++;
            log.Add($"enter {changes[0].Key} depth {depth}");
            if (changes[0].Key == 1)
            {
                source.AddOrUpdate(new Item(2, "from inside"));
                log.Add("edit returned");
            }

            log.Add($"exit {changes[0].Key}");
            depth--;
        });

        source.AddOrUpdate(new Item(1, "a"));

        log.Should().Equal("enter 1 depth 1", "edit returned", "exit 1", "enter 2 depth 1", "exit 2");
        source.Count.Should().Be(2);
    }

    [Fact]
    public void OnNext_ReentrantEditSeenByAnotherSubscriber_KeepsTheOrderOfBatches()
    {
        using var source = NewSource();
        using var reentrant = source.Connect().Subscribe(changes =>
        {
            if (changes[0].Key < 3)
            {
                source.AddOrUpdate(new Item(changes[0].Key + 1, "next"));
            }
        });
        using var recorder = source.Connect().Record();

        source.AddOrUpdate(new Item(1, "a"));

        recorder.Values.Select(static changes => changes[0].Key).Should().Equal(1, 2, 3);
        recorder.Violations.Should().BeEmpty();
    }

    [Fact]
    public void Dispose_CompletesSubscribersAndRefusesLaterEdits()
    {
        var source = NewSource();
        source.AddOrUpdate(new Item(1, "a"));
        using var recorder = source.Connect().Record();

        source.Dispose();

        recorder.IsCompleted.Should().BeTrue();
        recorder.Violations.Should().BeEmpty();
        var act = () => source.AddOrUpdate(new Item(2, "b"));
        act.Should().Throw<ObjectDisposedException>();
        source.Dispose();
        recorder.Values.Should().ContainSingle();
    }

    [Fact]
    public void Connect_AfterDispose_CompletesAtOnce()
    {
        var source = NewSource();
        source.Dispose();

        using var recorder = source.Connect().Record();

        recorder.IsCompleted.Should().BeTrue();
        recorder.Values.Should().BeEmpty();
    }

    [Fact]
    public void Unsubscribe_ThenEdit_DeliversNothingMore()
    {
        using var source = NewSource();
        var recorder = source.Connect().Record();
        source.AddOrUpdate(new Item(1, "a"));

        recorder.Dispose();
        source.AddOrUpdate(new Item(2, "b"));
        source.Dispose();

        recorder.Values.Should().ContainSingle();
        recorder.IsCompleted.Should().BeFalse();
    }

    [Fact]
    public void Unsubscribe_WhileAChangeSetIsQueuedForIt_DropsThatChangeSet()
    {
        using var source = NewSource();
        IDisposable? second = null;
        var secondSeen = new List<IChangeSet<Item, int>>();
        using var first = source.Connect().Subscribe(_ => second!.Dispose());
        second = source.Connect().Subscribe(secondSeen.Add);

        source.AddOrUpdate(new Item(1, "a"));

        secondSeen.Should().BeEmpty();
    }

    [Fact]
    public async Task Edit_FromManyThreads_IsSerializedAndAReplicaMatchesTheItems()
    {
        const int threads = 6;
        const int operationsPerThread = 2_000;
        using var source = NewSource();
        var replica = new Dictionary<int, Item>();
        var inside = 0;
        var overlaps = 0;
        var replicaErrors = new List<string>();
        using var recorder = source.Connect()
            .Do(changes =>
            {
                if (Interlocked.Increment(ref inside) != 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                Thread.SpinWait(20);
                try
                {
                    changes.ApplyTo(replica);
                }
                catch (Exception error)
                {
                    replicaErrors.Add(error.Message);
                }

                Interlocked.Decrement(ref inside);
            })
            .Record();
        using var start = new Barrier(threads);

        var workers = Enumerable.Range(0, threads).Select(thread => Task.Factory.StartNew(
            () =>
            {
                var random = new Random(thread);
                start.SignalAndWait();
                for (var i = 0; i < operationsPerThread; i++)
                {
                    var key = random.Next(50);
                    switch (random.Next(4))
                    {
                        case 0:
                        case 1:
                            source.AddOrUpdate(new Item(key, $"t{thread}-{i}"));
                            break;
                        case 2:
                            source.Remove(key);
                            break;
                        default:
                            source.Edit(updater =>
                            {
                                updater.AddOrUpdate(new Item(key, $"batch{thread}-{i}"));
                                updater.Refresh(key);
                                updater.Remove((key + 1) % 50);
                            });
                            break;
                    }
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));

        overlaps.Should().Be(0);
        replicaErrors.Should().BeEmpty();
        recorder.Violations.Should().BeEmpty();
        replica.Values.Should().BeEquivalentTo(source.Items);

        // A subscriber that joins now replays exactly the same state.
        var late = new Dictionary<int, Item>();
        using var lateSubscription = source.Connect().Subscribe(changes => changes.ApplyTo(late));
        late.Should().BeEquivalentTo(replica);
    }

    [Fact]
    public async Task Connect_WhileOtherThreadsEdit_ReplayPlusStreamMatchesTheItems()
    {
        using var source = NewSource();
        using var start = new Barrier(3);
        var replica = new Dictionary<int, Item>();
        IDisposable? subscription = null;

        var writers = Enumerable.Range(0, 2).Select(thread => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait();
                for (var i = 0; i < 3_000; i++)
                {
                    source.AddOrUpdate(new Item((i * 7 + thread) % 40, $"{thread}-{i}"));
                    if (i % 3 == 0)
                    {
                        source.Remove((i + thread) % 40);
                    }
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();
        var subscriber = Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait();
                subscription = source.Connect().Subscribe(changes => changes.ApplyTo(replica));
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        await Task.WhenAll([.. writers, subscriber]).WaitAsync(TimeSpan.FromSeconds(60));

        using (subscription)
        {
            replica.Values.Should().BeEquivalentTo(source.Items);
        }
    }
}
