using System.Text.Json;
using CsCheck;
using Reactive.Edits.Remote.Tests.Support;
using Reactive.Edits.Testing;

namespace Reactive.Edits.Remote.Tests;

/// <summary>Random runs of request, exchange (with rejections and lost answers), retry, discard, reconnect and restart (crash or clean) on one store:
/// nothing the user has not seen accepted or discarded is ever lost, an accepted edit never comes back, and each edit takes effect at most once.</summary>
public sealed class UnsettledEditJournalModelTests
{
    private const int Iterations = 300;
    private static readonly RemoteError Refused = new("test.refused", "Refused.");

    [Fact]
    public void RandomRunsWithRestarts_NeverLoseAnUnsettledEditNorResendAnAcceptedOne()
    {
        var runs = 0;
        Gen.Select(Gen.Int[0, 7], Gen.Int[0, 1_000_000]).Array[1, 60].Sample(
            steps =>
            {
                Interlocked.Increment(ref runs);
                Run(steps);
            },
            iter: Iterations);

        runs.Should().BeGreaterThanOrEqualTo(Iterations);
    }

    private static void Run((int Op, int Arg)[] steps)
    {
        var clock = new TestClock();
        var store = new InMemoryUnsettledEditStore();
        var server = new LedgerServer();
        var requested = new List<EditId>();
        var accepted = new HashSet<EditId>();
        var discarded = new HashSet<EditId>();
        var run = Start(store, clock, accepted);
        var decisions = new Queue<int>();
        server.Decide = _ => decisions.TryDequeue(out var d) && d % 3 == 0 ? Refused : null;

        foreach (var (op, arg) in steps)
        {
            switch (op)
            {
                case 0:
                case 1:
                    clock.AdvanceBy(TimeSpan.FromSeconds(1));
                    requested.Add(run.Edits.Request($"m{requested.Count}").Id);
                    break;
                case 2:
                    decisions.Enqueue(arg);
                    run.Exchange(server, loseReply: request => (request.Id.Value.GetHashCode() ^ arg) % 4 == 0);
                    break;
                case 3:
                    if (Failed(run, arg) is { } retry)
                    {
                        run.Edits.Retry(retry).Should().BeTrue();
                    }

                    break;
                case 4:
                    if (Failed(run, arg) is { } discard)
                    {
                        run.Edits.Discard(discard).Should().BeTrue();
                        discarded.Add(discard);
                    }

                    break;
                case 5:
                    run.Client.OnDisconnected();
                    run.Client.OnConnected();
                    break;
                default:
                    // A restart: a crash abandons the run as it is; a clean stop disposes it (journal before set).
                    Collect(run, accepted);
                    if (arg % 2 == 0)
                    {
                        run.Dispose();
                    }

                    run = Start(store, clock, accepted);
                    break;
            }

            Collect(run, accepted);
            Check(run, store, server, requested, accepted, discarded);
        }

        // The network heals and the user retries every failed edit: everything not discarded ends accepted, once.
        decisions.Clear();
        server.Decide = static _ => null;
        run.Client.OnDisconnected();
        run.Client.OnConnected();
        run.Exchange(server);
        foreach (var edit in run.Edits.Items.Where(e => e.Status == EditStatus.Rejected).ToList())
        {
            run.Edits.Retry(edit.Id).Should().BeTrue();
        }

        run.Exchange(server);
        Collect(run, accepted);
        run.Edits.Items.Should().BeEmpty();
        store.Count.Should().Be(0);
        accepted.Should().BeEquivalentTo(requested.Except(discarded));
        server.Applied.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(requested.Except(discarded), "each edit takes effect exactly once, a discarded one never");
        run.Events.Violations.Should().BeEmpty();
        run.StoreErrors.Values.Should().BeEmpty();
    }

    private static JournaledClient Start(InMemoryUnsettledEditStore store, TestClock clock, HashSet<EditId> accepted)
    {
        var run = new JournaledClient(store, clock);
        foreach (var id in accepted)
        {
            run.AcceptedBefore[id] = 0;
        }

        run.Restored.Select(e => e.Id).Should().NotIntersectWith(accepted, "an edit the client saw accepted is removed from the store and never resent");
        run.Client.OnConnected();
        return run;
    }

    private static EditId? Failed(JournaledClient run, int arg)
    {
        var failed = run.Edits.Items.Where(e => e.Status == EditStatus.Rejected).OrderBy(e => e.Sequence).ToList();
        return failed.Count == 0 ? null : failed[arg % failed.Count].Id;
    }

    // Notes the edits seen accepted, and for each how many sends the run had made by then: none may follow.
    private static void Collect(JournaledClient run, HashSet<EditId> accepted)
    {
        foreach (var recorded in run.Events.Events)
        {
            if (recorded.Event.Kind == EditEventKind.Accepted)
            {
                accepted.Add(recorded.Event.Edit.Id);
                run.AcceptedBefore.TryAdd(recorded.Event.Edit.Id, run.Sent.Values.Count);
            }
        }
    }

    private static void Check(JournaledClient run, InMemoryUnsettledEditStore store, LedgerServer server, List<EditId> requested, HashSet<EditId> accepted, HashSet<EditId> discarded)
    {
        var inSet = run.Edits.Items.Select(e => e.Id).ToHashSet();
        foreach (var id in requested)
        {
            if (!accepted.Contains(id) && !discarded.Contains(id))
            {
                inSet.Should().Contain(id, "an edit neither accepted nor discarded is never lost, whatever restarted");
            }
        }

        inSet.Should().NotIntersectWith(accepted).And.NotIntersectWith(discarded);
        StoredIds(store).Should().BeEquivalentTo(inSet, "the store holds exactly the unsettled edits");
        server.Applied.Should().OnlyHaveUniqueItems();
        for (var i = 0; i < run.Sent.Values.Count; i++)
        {
            var sent = run.Sent.Values[i];
            if (run.AcceptedBefore.TryGetValue(sent.Id, out var sentCountWhenAccepted))
            {
                i.Should().BeLessThan(sentCountWhenAccepted, "an edit seen accepted is never sent again, in this run or a later one");
            }
        }
    }

    private static HashSet<EditId> StoredIds(InMemoryUnsettledEditStore store) =>
        store.Load().Select(entry =>
        {
            using var json = JsonDocument.Parse(entry);
            return EditId.Parse(json.RootElement.GetProperty("id").GetString()!);
        }).ToHashSet();
}
