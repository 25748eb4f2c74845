using CsCheck;
using Reactive.Edits.ChangeSets;
using Reactive.Edits.Optimistic;

namespace Reactive.Edits.Tests.Optimistic;

/// <summary>
/// Model-based test of "an edit applies at most once" (DESIGN.md §4) on counters whose server records the ids of the edits
/// applied: random interleavings of creations, additions and deletions with authoritative changes that contain an edit or
/// not, acknowledgements before or after that change, rejections (also of edits the server did apply, as after a lost
/// answer), retries, discards, cancellations, other people's changes (a new counter under a deleted key among them) and
/// settle timeouts. After every step the view must equal a small model's, which applies each unsettled edit exactly once
/// unless the authoritative counter includes it; additions are not idempotent, so an edit applied twice or not at all
/// shows as a wrong value. No change set may hold an Update whose Current equals its Previous, and a key shown before and
/// after a step is never removed in between.
/// </summary>
public sealed class OptimisticMergeInclusionModelTests
{
    private const int Iterations = 1_000;

    [Theory]
    [InlineData(AuthoritativeInput.KeyedSource)]
    [InlineData(AuthoritativeInput.OtherStream)]
    public void RandomInterleavings_ApplyEachEditOnce_AndMatchTheModel(AuthoritativeInput input)
    {
        var runs = 0;
        Gen.Select(Gen.Int[0, 14], Gen.Int[0, 1_000_000]).Array[1, 50].Sample(
            steps =>
            {
                Interlocked.Increment(ref runs);
                new Run(input).Execute(steps);
            },
            iter: Iterations);

        runs.Should().BeGreaterThanOrEqualTo(Iterations);
    }

    private sealed class Run(AuthoritativeInput input)
    {
        private readonly CounterFixture _fixture = new(input);

        // The server: what it publishes, and the edits it has not applied yet (it applies each at most once, even one
        // that was cancelled or rejected on the client: the command may have reached it).
        private readonly Dictionary<string, Counter> _server = [];
        private readonly List<Edit<CounterOp>> _unapplied = [];
        private readonly List<string> _removedKeys = [];

        // The client: the edits the view must still show, in request order.
        private readonly List<ModelEdit<CounterOp>> _tracked = [];
        private int _externalKeys;

        public void Execute((int Code, int Pick)[] steps)
        {
            using var fixture = _fixture;
            foreach (var (code, pick) in steps)
            {
                var shownBefore = _fixture.Shown.Items.Keys.ToList();
                var historyBefore = shownBefore.ToDictionary(static key => key, key => _fixture.Shown.History[key].Count);
                Step(code, pick);
                Check($"after step {code}/{pick}", historyBefore);
            }
        }

        private void Step(int code, int pick)
        {
            switch (code)
            {
                case 0:
                    Request(CounterOp.Create(pick % 7));
                    break;
                case 1 or 2 when Targets().Count > 0:
                    // Amounts are powers of two, so a value tells which edits are in it.
                    Request(CounterOp.Add(Pick(Targets(), pick), 1 << (pick % 10)));
                    break;
                case 3 when Targets().Count > 0:
                    Request(CounterOp.Delete(Pick(Targets(), pick)));
                    break;
                case 4 or 5 when _unapplied.Count > 0:
                    // The server applies an edit: its authoritative change contains it (before or without the ack).
                    var applied = Pick(_unapplied, pick);
                    ServerApplies(applied);
                    break;
                case 6 when Pending().Count > 0:
                    // Ack after the authoritative change that contains the edit (§5's order).
                    var echoed = Pick(Pending(), pick);
                    if (_unapplied.Exists(e => e.Id == echoed.Edit.Id))
                    {
                        ServerApplies(_unapplied.Find(e => e.Id == echoed.Edit.Id)!);
                    }

                    Accept(echoed);
                    break;
                case 7 when Pending().Count > 0:
                    // Ack first; the server's change (if the server applies it at all) comes later, through step 4 or 5.
                    Accept(Pick(Pending(), pick));
                    break;
                case 8 when Pending().Count > 0:
                    // A rejection; the server may have applied the edit anyway (a timeout after a lost answer).
                    var rejected = Pick(Pending(), pick);
                    rejected.Edit.Token.Reject(new InvalidOperationException("rejected " + pick)).Should().BeTrue();
                    rejected.Rejected = true;
                    break;
                case 9 when _tracked.Exists(static e => e.Rejected):
                    var retried = Pick(_tracked.FindAll(static e => e.Rejected), pick);
                    _fixture.Edits.Retry(retried.Edit.Id).Should().BeTrue();
                    _fixture.Edits.TryGetEdit(retried.Edit.Id, out var current).Should().BeTrue();
                    retried.Edit = current!;
                    retried.Rejected = false;
                    retried.ChangedSinceAttempt = false;
                    break;
                case 10 when _tracked.Exists(static e => e.Rejected):
                    var discarded = Pick(_tracked.FindAll(static e => e.Rejected), pick);
                    _fixture.Edits.Discard(discarded.Edit.Id).Should().BeTrue();
                    _tracked.Remove(discarded);
                    break;
                case 11 when Pending().Count > 0:
                    var cancelled = Pick(Pending(), pick);
                    _fixture.Edits.Cancel(cancelled.Edit.Id).Should().Be(EditCancellation.AfterStart);
                    _tracked.Remove(cancelled);
                    break;
                case 12:
                    SomeoneElse(pick);
                    break;
                case 13:
                    _fixture.Clock.AdvanceBy(CounterFixture.SettleTimeout / 2);
                    _tracked.RemoveAll(e => e.Accepted && e.AcceptedAt + CounterFixture.SettleTimeout <= _fixture.Clock.Now);
                    break;
                default:
                    Request(CounterOp.Create(pick % 5));
                    break;
            }
        }

        private void Request(CounterOp op)
        {
            var edit = _fixture.Edits.Request(op);
            _tracked.Add(new ModelEdit<CounterOp>(edit, CounterFixture.KeyOf(edit)));
            _unapplied.Add(edit);
        }

        private void Accept(ModelEdit<CounterOp> edit)
        {
            edit.Edit.Token.Accept().Should().BeTrue();
            edit.Accepted = true;
            edit.AcceptedAt = _fixture.Clock.Now;
            if (Settled(edit))
            {
                _tracked.Remove(edit);
            }
        }

        // An accepted edit leaves once the authoritative counter includes it, or, when the key has no counter (nothing to
        // test, as after a deletion), once the key has changed since the attempt was requested.
        private bool Settled(ModelEdit<CounterOp> edit) =>
            _server.TryGetValue(edit.Key, out var counter) ? counter.Includes(edit.Edit.Id) : edit.ChangedSinceAttempt;

        private void ServerApplies(Edit<CounterOp> edit)
        {
            _unapplied.Remove(edit);
            var key = CounterFixture.KeyOf(edit);
            var current = _server.GetValueOrDefault(key);
            if (CounterFixture.ServerApply(edit.Id, edit.Value, key, current) is { } next)
            {
                Publish(next);
            }
            else if (current is not null)
            {
                Remove(key);
            }
        }

        private void SomeoneElse(int pick)
        {
            switch (pick % 4)
            {
                case 0 when _server.Count > 0:
                    var added = _server[Pick([.. _server.Keys], pick)];
                    Publish(added with { Value = added.Value + (1 << 12) });
                    break;
                case 1 when _server.Count > 0:
                    Remove(Pick([.. _server.Keys], pick));
                    break;
                case 2 when _removedKeys.Count > 0:
                    // A new counter under a key whose counter was deleted: no earlier deletion may apply to it.
                    var key = Pick(_removedKeys, pick);
                    _removedKeys.Remove(key);
                    Publish(Counter.New(key, 1 << 14));
                    break;
                default:
                    Publish(Counter.New("x" + _externalKeys++, 1 << 13));
                    break;
            }
        }

        private void Publish(Counter counter)
        {
            _server[counter.Key] = counter;
            _removedKeys.Remove(counter.Key);
            _fixture.Authoritative.AddOrUpdate(counter);
            Changed(counter.Key);
        }

        private void Remove(string key)
        {
            _server.Remove(key);
            _removedKeys.Add(key);
            _fixture.Authoritative.Remove(key);
            Changed(key);
        }

        private void Changed(string key)
        {
            foreach (var edit in _tracked)
            {
                if (edit.Key == key)
                {
                    edit.ChangedSinceAttempt = true;
                }
            }

            _tracked.RemoveAll(e => e.Key == key && e.Accepted && Settled(e));
        }

        private List<ModelEdit<CounterOp>> Pending() => _tracked.FindAll(static e => !e.Rejected && !e.Accepted);

        // Keys an addition or deletion may target: the server's counters and the counters being created.
        private List<string> Targets() =>
            [.. _server.Keys.Concat(_tracked.Where(static e => e.Edit.Value.Kind == CounterOpKind.Create).Select(static e => e.Key)).Distinct()];

        private void Check(string when, Dictionary<string, int> historyBefore)
        {
            var expected = new Dictionary<string, (Counter Item, OptimisticState State, bool IsLocal)>();
            foreach (var key in _server.Keys.Concat(_tracked.Select(static e => e.Key)).Distinct())
            {
                var authoritative = _server.GetValueOrDefault(key);
                var item = authoritative;
                var state = OptimisticState.Confirmed;
                foreach (var edit in _tracked.Where(e => e.Key == key).OrderBy(static e => e.Edit.Sequence))
                {
                    if (authoritative is null || !authoritative.Includes(edit.Edit.Id))
                    {
                        var predicted = CounterFixture.Predict(edit.Edit, item);
                        item = predicted is null && edit.Rejected ? item : predicted;
                    }

                    state = edit.Rejected ? OptimisticState.Failed : state == OptimisticState.Failed ? state : OptimisticState.Pending;
                }

                if (item is not null)
                {
                    expected[key] = (item, state, authoritative is null);
                }
            }

            // Compared by hand first: an equivalence assertion per step would be most of the test's time.
            var actual = _fixture.Shown.Items;
            var same = actual.Count == expected.Count;
            foreach (var (key, shown) in actual)
            {
                same = same && expected.TryGetValue(key, out var wanted) && wanted == (shown.Item, shown.State, shown.IsLocal);
            }

            if (!same)
            {
                actual.ToDictionary(static p => p.Key, static p => (p.Value.Item, p.Value.State, p.Value.IsLocal)).Should().BeEquivalentTo(expected, when);
            }

            if (_fixture.Shown.Violations.Count > 0 || _fixture.Recorder.Violations.Count > 0 || _fixture.Recorder.Error is not null)
            {
                _fixture.Shown.Violations.Should().BeEmpty(when);
                _fixture.Recorder.Violations.Should().BeEmpty(when);
                _fixture.Recorder.Error.Should().BeNull(when);
            }

            foreach (var (key, count) in historyBefore)
            {
                if (_fixture.Shown.Items.ContainsKey(key) && _fixture.Shown.History[key].LastIndexOf(ChangeReason.Remove) >= count)
                {
                    _fixture.Shown.History[key].Skip(count).Should().NotContain(ChangeReason.Remove, "{0} was shown before and after the step ({1})", key, when);
                }
            }
        }

        private static T Pick<T>(List<T> items, int pick) => items[pick % items.Count];
    }
}
