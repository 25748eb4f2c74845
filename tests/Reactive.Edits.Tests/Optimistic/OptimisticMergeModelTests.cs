using CsCheck;
using Reactive.Edits.ChangeSets;
using Reactive.Edits.Optimistic;

namespace Reactive.Edits.Tests.Optimistic;

/// <summary>
/// Model-based test of the optimistic merge: random interleavings of requests (create, update, delete), server
/// acceptance with the echo before or after the ack, rejection, retry, discard, cancel, stale-token spends, external
/// authoritative changes and settle timeouts, checked after every step against a small model.
/// </summary>
public sealed class OptimisticMergeModelTests
{
    public enum EchoOrder
    {
        EchoBeforeAck,
        AckBeforeEcho,
        Mixed,
    }

    private const int Iterations = 1_000;

    [Theory]
    [InlineData(EchoOrder.EchoBeforeAck, AuthoritativeInput.KeyedSource)]
    [InlineData(EchoOrder.AckBeforeEcho, AuthoritativeInput.KeyedSource)]
    [InlineData(EchoOrder.Mixed, AuthoritativeInput.KeyedSource)]
    [InlineData(EchoOrder.Mixed, AuthoritativeInput.OtherStream)]
    public void RandomInterleavings_MatchTheModel(EchoOrder order, AuthoritativeInput input)
    {
        var runs = 0;
        Gen.Select(Gen.Int[0, 11], Gen.Int[0, 1_000_000]).Array[1, 60].Sample(
            steps =>
            {
                Interlocked.Increment(ref runs);
                new Run(order, input).Execute(steps);
            },
            iter: Iterations);

        runs.Should().BeGreaterThanOrEqualTo(Iterations);
    }

    private sealed class Run(EchoOrder order, AuthoritativeInput input)
    {
        private readonly MergeFixture _fixture = new(input: input);
        private readonly Dictionary<string, Item> _auth = [];
        private readonly List<ModelEdit<Op>> _tracked = [];
        private readonly List<(Op Op, string Key)> _echoes = [];
        private readonly List<EditToken> _staleTokens = [];
        private readonly List<bool> _busy = [];
        private int _externalKeys;

        public void Execute((int Code, int Pick)[] steps)
        {
            using var fixture = _fixture;
            using var busy = fixture.Edits.IsBusy.Subscribe(_busy.Add);
            foreach (var (code, pick) in steps)
            {
                Step(code, pick);
                Check($"after step {code}/{pick}");
            }
        }

        private void Step(int code, int pick)
        {
            switch (code)
            {
                case 0:
                    Request(new Op(OpKind.Create, null, "c" + pick));
                    break;
                case 1 when _auth.Count > 0:
                    Request(new Op(OpKind.Update, Pick(_auth.Keys, pick), "u" + pick));
                    break;
                case 2 when _auth.Count > 0:
                    Request(new Op(OpKind.Delete, Pick(_auth.Keys, pick), ""));
                    break;
                case 3 when PendingUnaccepted().Any():
                    ServerAccepts(Pick(PendingUnaccepted(), pick), pick);
                    break;
                case 4 when PendingUnaccepted().Any():
                    var rejected = Pick(PendingUnaccepted(), pick);
                    rejected.Edit.Token.Reject(new InvalidOperationException("rejected " + pick)).Should().BeTrue();
                    rejected.Rejected = true;
                    break;
                case 5 when _tracked.Any(static e => e.Rejected):
                    var retried = Pick(_tracked.Where(static e => e.Rejected), pick);
                    _staleTokens.Add(retried.Edit.Token);
                    _fixture.Edits.Retry(retried.Edit.Id).Should().BeTrue();
                    _fixture.Edits.TryGetEdit(retried.Edit.Id, out var current).Should().BeTrue();
                    retried.Edit = current!;
                    retried.Rejected = false;
                    retried.ChangedSinceAttempt = false;
                    break;
                case 6 when _tracked.Any(static e => e.Rejected):
                    var discarded = Pick(_tracked.Where(static e => e.Rejected), pick);
                    _fixture.Edits.Discard(discarded.Edit.Id).Should().BeTrue();
                    _tracked.Remove(discarded);
                    break;
                case 7 when PendingUnaccepted().Any():
                    var cancelled = Pick(PendingUnaccepted(), pick);
                    _fixture.Edits.Cancel(cancelled.Edit.Id).Should().Be(EditCancellation.AfterStart);
                    _tracked.Remove(cancelled);
                    break;
                case 8:
                    ExternalChange(pick);
                    break;
                case 9 when _echoes.Count > 0:
                    var echo = _echoes[pick % _echoes.Count];
                    _echoes.Remove(echo);
                    ApplyEffect(echo.Op, echo.Key);
                    break;
                case 10:
                    _fixture.Clock.AdvanceBy(MergeFixture.SettleTimeout);
                    _tracked.RemoveAll(e => e.Accepted && e.AcceptedAt + MergeFixture.SettleTimeout <= _fixture.Clock.Now);
                    break;
                case 11 when _staleTokens.Count > 0:
                    var stale = _staleTokens[pick % _staleTokens.Count];
                    stale.Accept().Should().BeFalse("a token of an earlier attempt is spent");
                    stale.Reject(new InvalidOperationException("stale")).Should().BeFalse();
                    break;
                default:
                    Request(new Op(OpKind.Create, null, "d" + pick));
                    break;
            }
        }

        private void Request(Op op)
        {
            var edit = _fixture.Edits.Request(op);
            _tracked.Add(new ModelEdit<Op>(edit, op.Kind == OpKind.Create ? MergeFixture.CreatedKey(edit.Id) : op.Target!));
        }

        private void ServerAccepts(ModelEdit<Op> edit, int pick)
        {
            var echoFirst = order switch
            {
                EchoOrder.EchoBeforeAck => true,
                EchoOrder.AckBeforeEcho => false,
                _ => pick % 2 == 0,
            };
            var shownBefore = _fixture.Replica.ContainsKey(edit.Key);
            var historyBefore = _fixture.History.TryGetValue(edit.Key, out var h) ? h.Count : 0;

            if (echoFirst)
            {
                ApplyEffect(edit.Edit.Value, edit.Key);
            }

            edit.Edit.Token.Accept().Should().BeTrue();
            edit.Accepted = true;
            edit.AcceptedAt = _fixture.Clock.Now;
            if (edit.ChangedSinceAttempt)
            {
                _tracked.Remove(edit);
            }

            if (!echoFirst)
            {
                _echoes.Add((edit.Edit.Value, edit.Key));
            }

            if (echoFirst && shownBefore && edit.Edit.Value.Kind != OpKind.Delete)
            {
                // The confirmed item replaces the prediction in place: updates only, never a removal.
                _fixture.History[edit.Key].Skip(historyBefore).Should().OnlyContain(static r => r == ChangeReason.Update);
                _fixture.Replica.Should().ContainKey(edit.Key);
            }
        }

        private void ApplyEffect(Op op, string key)
        {
            switch (op.Kind)
            {
                case OpKind.Create:
                    SetAuthoritative(new Item(key, op.Text, 1));
                    break;
                case OpKind.Update when _auth.TryGetValue(key, out var current):
                    SetAuthoritative(current with { Text = op.Text, Rev = current.Rev + 1 });
                    break;
                case OpKind.Delete when _auth.ContainsKey(key):
                    RemoveAuthoritative(key);
                    break;
            }
        }

        private void ExternalChange(int pick)
        {
            switch (pick % 3)
            {
                case 0 when _auth.Count > 0:
                    var key = Pick(_auth.Keys, pick);
                    SetAuthoritative(_auth[key] with { Text = "ext" + pick, Rev = _auth[key].Rev + 1 });
                    break;
                case 1 when _auth.Count > 0:
                    RemoveAuthoritative(Pick(_auth.Keys, pick));
                    break;
                default:
                    SetAuthoritative(new Item("x" + _externalKeys++, "ext", 1));
                    break;
            }
        }

        private void SetAuthoritative(Item item)
        {
            var shownBefore = _fixture.Replica.TryGetValue(item.Key, out var before) && before.State != OptimisticState.Confirmed;
            var historyBefore = _fixture.History.TryGetValue(item.Key, out var h) ? h.Count : 0;
            _auth[item.Key] = item;
            _fixture.Authoritative.AddOrUpdate(item);
            AuthoritativeChanged(item.Key);
            if (shownBefore)
            {
                // An authoritative item arriving under a prediction never makes the key blink out.
                _fixture.History[item.Key].Skip(historyBefore).Should().NotContain(ChangeReason.Remove);
            }
        }

        private void RemoveAuthoritative(string key)
        {
            _auth.Remove(key);
            _fixture.Authoritative.Remove(key);
            AuthoritativeChanged(key);
        }

        private void AuthoritativeChanged(string key)
        {
            foreach (var edit in _tracked.Where(e => e.Key == key))
            {
                edit.ChangedSinceAttempt = true;
            }

            _tracked.RemoveAll(e => e.Key == key && e.Accepted);
        }

        private IEnumerable<ModelEdit<Op>> PendingUnaccepted() => _tracked.Where(static e => !e.Rejected && !e.Accepted);

        private void Check(string when)
        {
            var expected = new Dictionary<string, (Item Item, OptimisticState State, bool IsLocal)>();
            foreach (var key in _auth.Keys.Concat(_tracked.Select(static e => e.Key)).Distinct())
            {
                var item = _auth.GetValueOrDefault(key);
                var state = OptimisticState.Confirmed;
                foreach (var edit in _tracked.Where(e => e.Key == key).OrderBy(static e => e.Edit.Sequence))
                {
                    var predicted = _fixture.Options.Predict(edit.Edit, item);
                    item = predicted is null && edit.Rejected ? item : predicted;
                    state = edit.Rejected ? OptimisticState.Failed : state == OptimisticState.Failed ? state : OptimisticState.Pending;
                }

                if (item is not null)
                {
                    expected[key] = (item, state, !_auth.ContainsKey(key));
                }
            }

            var actual = _fixture.Replica.ToDictionary(static p => p.Key, static p => (p.Value.Item, p.Value.State, p.Value.IsLocal));
            actual.Should().BeEquivalentTo(expected, when);
            _fixture.Violations.Should().BeEmpty(when);
            _fixture.Recorder.Violations.Should().BeEmpty(when);
            _fixture.Recorder.Error.Should().BeNull(when);

            var anyPending = _tracked.Any(static e => !e.Rejected && !e.Accepted);
            _busy[^1].Should().Be(anyPending, "busy equals 'any edit pending' " + when);
            _fixture.Edits.Items.Count(static e => e.IsPending).Should().Be(_tracked.Count(static e => !e.Rejected && !e.Accepted), when);
        }

        private static T Pick<T>(IEnumerable<T> items, int pick)
        {
            var list = items as IReadOnlyList<T> ?? items.ToList();
            return list[pick % list.Count];
        }
    }
}
