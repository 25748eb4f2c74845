using System.Collections.Concurrent;
using Reactive.Edits.ChangeSets;
using Reactive.Edits.Testing;

namespace Reactive.Edits.Tests.Concurrency;

public sealed class EditSetConcurrencyTests
{
    private const int Threads = 8;
    private const int EditsPerThread = 2_000;

    [Theory]
    [InlineData("Concurrent")]
    [InlineData("Bounded")]
    [InlineData("Queued")]
    public void ManyThreads_RequestSpendAndRetry_EveryEditEndsOnceAndNotificationsNeverOverlap(string policyName)
    {
        var policy = policyName switch
        {
            "Bounded" => EditPolicy.Bounded(3),
            "Queued" => EditPolicy.Queued,
            _ => EditPolicy.Concurrent,
        };
        using var edits = new EditSet<int>(new EditSetOptions { Policy = policy }, new TestClock());
        var recorder = new OverlapDetectingRecorder<int>();
        using var subscription = edits.Connect().Subscribe(recorder);
        var busy = false;
        var pending = -1;
        using var busySubscription = edits.IsBusy.Subscribe(b => busy = b);
        using var pendingSubscription = edits.PendingCount.Subscribe(p => pending = p);

        // Winning spends per (edit, attempt): every attempt must have exactly one.
        var wins = new ConcurrentDictionary<(EditId, int), int>();
        var finalOutcome = new ConcurrentDictionary<EditId, EditStatus>();
        using var barrier = new Barrier(Threads);
        var failures = new ConcurrentQueue<Exception>();

        void Spend(EditToken token, bool accept)
        {
            // Two threads race to spend the same token; exactly one may win.
            var racers = new bool[2];
            var rival = new Thread(() => racers[1] = accept ? token.Accept() : token.Reject(new InvalidOperationException("no")));
            rival.Start();
            racers[0] = accept ? token.Accept() : token.Reject(new InvalidOperationException("no"));
            rival.Join();
            var count = (racers[0] ? 1 : 0) + (racers[1] ? 1 : 0);
            wins.AddOrUpdate((token.EditId, token.Attempt), count, (_, c) => c + count);
        }

        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                barrier.SignalAndWait();
                for (var i = 0; i < EditsPerThread; i++)
                {
                    var edit = edits.Request(i);
                    var racing = i % 50 == 0;
                    if (racing)
                    {
                        Spend(edit.Token, accept: false);
                    }
                    else if (!edit.Token.Reject(new InvalidOperationException("first try")))
                    {
                        throw new InvalidOperationException($"Reject of {edit.Token} lost");
                    }
                    else
                    {
                        wins.AddOrUpdate((edit.Id, 1), 1, (_, c) => c + 1);
                    }

                    if (i % 3 == 0)
                    {
                        edits.Discard(edit.Id).Should().BeTrue();
                        finalOutcome[edit.Id] = EditStatus.Discarded;
                        continue;
                    }

                    edits.Retry(edit.Id).Should().BeTrue();
                    edits.TryGetEdit(edit.Id, out var retried).Should().BeTrue();
                    if (i % 3 == 1)
                    {
                        if (racing)
                        {
                            Spend(retried!.Token, accept: true);
                        }
                        else
                        {
                            retried!.Token.Accept().Should().BeTrue();
                            wins.AddOrUpdate((edit.Id, 2), 1, (_, c) => c + 1);
                        }

                        edit.Token.Accept().Should().BeFalse("a stale token never settles a newer attempt");
                        finalOutcome[edit.Id] = EditStatus.Accepted;
                    }
                    else
                    {
                        edits.Cancel(edit.Id).Should().NotBe(EditCancellation.NotCancelled);
                        wins.AddOrUpdate((edit.Id, 2), 1, (_, c) => c + 1);
                        finalOutcome[edit.Id] = EditStatus.Cancelled;
                    }
                }
            }
            catch (Exception ex)
            {
                failures.Enqueue(ex);
                barrier.RemoveParticipant();
            }
        })).ToList();

        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        failures.Should().BeEmpty();
        recorder.Overlaps.Should().Be(0, "notifications are serialized");
        var attemptsPerThread = Enumerable.Range(0, EditsPerThread).Sum(i => i % 3 == 0 ? 1 : 2);
        wins.Should().HaveCount(Threads * attemptsPerThread, "discarded edits have one attempt, the rest two");
        wins.Values.Should().OnlyContain(count => count == 1, "exactly one spend wins per attempt");
        finalOutcome.Should().HaveCount(Threads * EditsPerThread);

        // Replay the change sets: each edit is added once, leaves once with its recorded outcome, and nothing remains.
        var replayed = new Dictionary<EditId, Edit<int>>();
        var removals = new Dictionary<EditId, EditStatus>();
        foreach (var change in recorder.Changes)
        {
            switch (change.Reason)
            {
                case ChangeReason.Add:
                    replayed.Add(change.Key, change.Current);
                    break;
                case ChangeReason.Update:
                    replayed.Should().ContainKey(change.Key);
                    replayed[change.Key] = change.Current;
                    break;
                case ChangeReason.Remove:
                    replayed.Remove(change.Key).Should().BeTrue();
                    removals.Add(change.Key, change.Current.Status);
                    break;
            }
        }

        replayed.Should().BeEmpty();
        removals.Should().BeEquivalentTo(finalOutcome);
        edits.Items.Should().BeEmpty();
        busy.Should().BeFalse();
        pending.Should().Be(0);
    }
}
