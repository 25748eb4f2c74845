using System.Collections.Immutable;
using Reactive.Edits.ChangeSets;
using Reactive.Edits.Optimistic;
using Reactive.Edits.Testing;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Tests.Optimistic;

/// <summary>A counter as the server keeps it: its value and the ids of the edits applied to it, in order.</summary>
public sealed record Counter(string Key, int Value, ImmutableList<EditId> Applied)
{
    public static Counter New(string key, int value) => new(key, value, []);

    public bool Includes(EditId id) => Applied.Contains(id);

    public bool Equals(Counter? other) =>
        other is not null && Key == other.Key && Value == other.Value && Applied.SequenceEqual(other.Applied);

    public override int GetHashCode() => HashCode.Combine(Key, Value, Applied.Count);

    public override string ToString() => $"{Key}={Value} [{string.Join(",", Applied)}]";
}

public enum CounterOpKind
{
    Create,
    Add,
    Delete,
}

/// <summary>An edit of counters: create one (keyed by the edit id) with an initial value, add to one, or delete one.</summary>
public sealed record CounterOp(CounterOpKind Kind, string? Target, int Amount)
{
    public static CounterOp Create(int initial) => new(CounterOpKind.Create, null, initial);

    public static CounterOp Add(string key, int amount) => new(CounterOpKind.Add, key, amount);

    public static CounterOp Delete(string key) => new(CounterOpKind.Delete, key, 0);
}

/// <summary>
/// Counters on a server that records, in each counter, the ids of the edits applied to it (the field the inclusion test
/// reads), an edit set of counter edits, and their optimistic view, bound into a replica that checks every change.
/// </summary>
public sealed class CounterFixture : IDisposable
{
    public static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(10);

    private readonly IDisposable _binding;
    private readonly IDisposable _mismatches;

    public CounterFixture(AuthoritativeInput input = AuthoritativeInput.KeyedSource)
    {
        Edits = new EditSet<CounterOp>(EditSetOptions.Default, Clock);
        Options = new OptimisticOptions<Counter, string, CounterOp>
        {
            KeyOf = static edit => KeyOf(edit),
            Predict = static (edit, current) => Predict(edit, current),
            Includes = static (counter, edit) => counter.Includes(edit.Id),
            SettleTimeout = SettleTimeout,
        };
        View = input.Connect(Authoritative).MergeOptimistic(Edits, Options);
        Recorder = View.Record();
        _binding = View.Subscribe(Shown.Apply);
        // A mismatch is a value the user saw change on confirmation, as in "predicted 22, got 21"; the ids the server
        // records are not part of what the prediction claims.
        _mismatches = View.PredictionMismatches(ValueComparer).Subscribe(Mismatches.Add);
    }

    public static IEqualityComparer<Counter> ValueComparer { get; } =
        EqualityComparer<Counter>.Create(static (x, y) => x?.Key == y?.Key && x?.Value == y?.Value, static counter => counter.Value);

    public TestClock Clock { get; } = new();

    public KeyedSource<Counter, string> Authoritative { get; } = new(static counter => counter.Key);

    public EditSet<CounterOp> Edits { get; }

    public OptimisticOptions<Counter, string, CounterOp> Options { get; }

    public IObservable<IChangeSet<OptimisticItem<Counter, string>, string>> View { get; }

    public ObservableRecorder<IChangeSet<OptimisticItem<Counter, string>, string>> Recorder { get; }

    public ViewReplica<Counter> Shown { get; } = new();

    public List<PredictionMismatch<Counter, string>> Mismatches { get; } = [];

    public static string CreatedKey(EditId id) => "e:" + id;

    public static string KeyOf(Edit<CounterOp> edit) => edit.Value.Kind == CounterOpKind.Create ? CreatedKey(edit.Id) : edit.Value.Target!;

    /// <summary>The client's prediction: it applies the edit to the value, and does not claim to know what the server records.</summary>
    public static Counter? Predict(Edit<CounterOp> edit, Counter? current) => edit.Value.Kind switch
    {
        CounterOpKind.Create => Counter.New(CreatedKey(edit.Id), edit.Value.Amount),
        CounterOpKind.Add => current is null ? null : current with { Value = current.Value + edit.Value.Amount },
        _ => null,
    };

    /// <summary>What the server stores after applying <paramref name="op"/> (edit <paramref name="id"/>) to <paramref name="current"/>.</summary>
    public static Counter? ServerApply(EditId id, CounterOp op, string key, Counter? current) => op.Kind switch
    {
        CounterOpKind.Create => new Counter(key, op.Amount, [id]),
        CounterOpKind.Add => current is null ? null : new Counter(key, current.Value + op.Amount, current.Applied.Add(id)),
        _ => null,
    };

    /// <summary>The server applies an edit and publishes the result.</summary>
    public void ServerApplies(Edit<CounterOp> edit)
    {
        var key = KeyOf(edit);
        Authoritative.TryGetValue(key, out var current);
        if (ServerApply(edit.Id, edit.Value, key, current) is { } next)
        {
            Authoritative.AddOrUpdate(next);
        }
        else if (current is not null)
        {
            Authoritative.Remove(key);
        }
    }

    /// <summary>Someone else adds to a counter: a change that does not include any of our edits.</summary>
    public void SomeoneElseAdds(string key, int amount)
    {
        Authoritative.TryGetValue(key, out var current).Should().BeTrue();
        Authoritative.AddOrUpdate(current! with { Value = current.Value + amount });
    }

    public OptimisticItem<Counter, string> this[string key] => Shown.Items[key];

    /// <summary>The values published for a key, each with its state, e.g. "11 Pending".</summary>
    public IEnumerable<string> PublishedValues(string key) =>
        Shown.Published[key].Select(static item => $"{item.Item.Value} {item.State}");

    public void Dispose()
    {
        _mismatches.Dispose();
        _binding.Dispose();
        Recorder.Dispose();
        Edits.Dispose();
        Authoritative.Dispose();
    }
}
