using CsCheck;
using Reactive.Edits.ChangeSets;
using Reactive.Edits.Testing;

namespace Reactive.Edits.Tests.Properties;

// Random sequences of request/accept/reject/retry/discard/cancel under the Concurrent policy, checked after every step
// against a tiny model. A failure shrinks to the shortest sequence and names its steps.
public sealed class EditSetModelTests
{
    private const int Iterations = 1_000;

    private enum Op
    {
        Request,
        Accept,
        Reject,
        Retry,
        Discard,
        Cancel,
        StaleAccept,
        UnknownId,
    }

    [Fact]
    public void RandomSequences_Concurrent_MatchTheModel()
    {
        var runs = 0;
        Gen.Select(Gen.Enum<Op>(), Gen.Int[0, 1_000]).Array[1, 40].Sample(
            steps =>
            {
                Interlocked.Increment(ref runs);
                try
                {
                    Execute(steps);
                }
                catch (Exception ex)
                {
                    throw new InvalidOperationException("Steps: " + string.Join(", ", steps.Select(s => $"{s.Item1}({s.Item2})")), ex);
                }
            },
            iter: Iterations);

        runs.Should().BeGreaterThanOrEqualTo(Iterations);
    }

    private sealed record ModelEdit(EditId Id, int Value)
    {
        public EditStatus Status { get; set; } = EditStatus.Pending;

        public string? Error { get; set; }

        public int Attempt { get; set; } = 1;

        public List<EditToken> Tokens { get; } = [];
    }

    private static void Execute((Op Kind, int Pick)[] steps)
    {
        using var edits = new EditSet<int>(new EditSetOptions { Policy = EditPolicy.Concurrent }, new TestClock());
        var materialised = new Dictionary<EditId, Edit<int>>();
        using var connection = edits.Connect().Subscribe(changes =>
        {
            foreach (var change in changes)
            {
                if (change.Reason == ChangeReason.Remove)
                {
                    materialised.Remove(change.Key);
                }
                else
                {
                    materialised[change.Key] = change.Current;
                }
            }
        });
        var busy = false;
        var pending = -1;
        using var busyFeed = edits.IsBusy.Subscribe(b => busy = b);
        using var pendingFeed = edits.PendingCount.Subscribe(p => pending = p);
        var model = new List<ModelEdit>();

        ModelEdit? Pick(int pick, EditStatus? status)
        {
            var candidates = model.Where(m => status is null || m.Status == status).ToList();
            return candidates.Count == 0 ? null : candidates[pick % candidates.Count];
        }

        foreach (var (kind, pick) in steps)
        {
            var target = kind switch
            {
                Op.Accept or Op.Reject or Op.Cancel => Pick(pick, pick % 4 == 0 ? null : EditStatus.Pending),
                Op.Retry or Op.Discard => Pick(pick, pick % 4 == 0 ? null : EditStatus.Rejected),
                Op.StaleAccept => Pick(pick, null),
                _ => null,
            };
            var live = target is not null && target.Status == EditStatus.Pending;
            switch (kind)
            {
                case Op.Request:
                    var edit = edits.Request(pick);
                    var added = new ModelEdit(edit.Id, pick);
                    added.Tokens.Add(edit.Token);
                    model.Add(added);
                    break;
                case Op.Accept when target is not null:
                    target.Tokens[^1].Accept().Should().Be(live);
                    if (live)
                    {
                        target.Status = EditStatus.Accepted;
                    }

                    break;
                case Op.Reject when target is not null:
                    target.Tokens[^1].Reject(new InvalidOperationException($"no {pick}")).Should().Be(live);
                    if (live)
                    {
                        target.Status = EditStatus.Rejected;
                        target.Error = $"no {pick}";
                    }

                    break;
                case Op.Cancel when target is not null:
                    edits.Cancel(target.Id).Should().Be(live ? EditCancellation.AfterStart : EditCancellation.NotCancelled);
                    if (live)
                    {
                        target.Status = EditStatus.Cancelled;
                    }

                    break;
                case Op.Retry when target is not null:
                    var rejected = target.Status == EditStatus.Rejected;
                    edits.Retry(target.Id).Should().Be(rejected);
                    if (rejected)
                    {
                        target.Status = EditStatus.Pending;
                        target.Error = null;
                        target.Attempt++;
                        edits.TryGetEdit(target.Id, out var retried).Should().BeTrue();
                        target.Tokens.Add(retried!.Token);
                    }

                    break;
                case Op.Discard when target is not null:
                    var discardable = target.Status == EditStatus.Rejected;
                    edits.Discard(target.Id).Should().Be(discardable);
                    if (discardable)
                    {
                        target.Status = EditStatus.Discarded;
                    }

                    break;
                case Op.StaleAccept when target is not null:
                    // Every token but the latest is stale; the latest is stale once the edit is no longer pending.
                    foreach (var token in target.Tokens.SkipLast(live ? 1 : 0))
                    {
                        token.Accept().Should().BeFalse("a spent or stale token changes nothing");
                    }

                    break;
                case Op.UnknownId:
                    var unknown = EditId.New();
                    edits.Retry(unknown).Should().BeFalse();
                    edits.Discard(unknown).Should().BeFalse();
                    edits.Cancel(unknown).Should().Be(EditCancellation.NotCancelled);
                    break;
            }

            Check(edits, model, materialised, busy, pending);
        }
    }

    private static void Check(EditSet<int> edits, List<ModelEdit> model, Dictionary<EditId, Edit<int>> materialised, bool busy, int pending)
    {
        var inSet = model.Where(m => m.Status is EditStatus.Pending or EditStatus.Rejected).ToList();
        materialised.Keys.Should().BeEquivalentTo(inSet.Select(m => m.Id));
        edits.Items.Select(e => e.Id).Should().BeEquivalentTo(inSet.Select(m => m.Id));
        foreach (var expected in inSet)
        {
            var actual = materialised[expected.Id];
            actual.Status.Should().Be(expected.Status);
            actual.Value.Should().Be(expected.Value);
            actual.Error?.Message.Should().Be(expected.Error);
            (actual.Error is null).Should().Be(expected.Error is null);
            actual.Attempt.Should().Be(expected.Attempt);
        }

        pending.Should().Be(model.Count(m => m.Status == EditStatus.Pending));
        busy.Should().Be(pending > 0);
    }
}
