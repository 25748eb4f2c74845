using Reactive.Edits.ChangeSets;
using Reactive.Edits.Optimistic;
using Reactive.Edits.Testing;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Tests.Optimistic;

public sealed record Item(string Key, string Text, int Rev);

public enum OpKind
{
    Create,
    Update,
    Delete,
}

public sealed record Op(OpKind Kind, string? Target, string Text);

/// <summary>An authoritative source, an edit set and their optimistic view, bound into a replica that checks every change.</summary>
public sealed class MergeFixture : IDisposable
{
    public static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(10);

    private readonly IDisposable _binding;

    public MergeFixture(Func<Item, Edit<Op>, bool>? isConfirmedBy = null)
    {
        Edits = new EditSet<Op>(EditSetOptions.Default, Clock);
        Options = new OptimisticOptions<Item, string, Op>
        {
            KeyOf = static edit => edit.Value.Kind == OpKind.Create ? CreatedKey(edit.Id) : edit.Value.Target!,
            Predict = static (edit, current) => edit.Value.Kind switch
            {
                OpKind.Create => new Item(CreatedKey(edit.Id), edit.Value.Text, 0),
                OpKind.Update => current is null ? null : current with { Text = edit.Value.Text },
                _ => null,
            },
            IsConfirmedBy = isConfirmedBy,
            SettleTimeout = SettleTimeout,
            Probe = Probe,
        };
        View = Authoritative.Connect().MergeOptimistic(Edits, Options);
        Recorder = View.Record();
        _binding = View.Subscribe(Apply);
    }

    public TestClock Clock { get; } = new();

    public KeyedSource<Item, string> Authoritative { get; } = new(static item => item.Key);

    public EditSet<Op> Edits { get; }

    public OptimisticOptions<Item, string, Op> Options { get; }

    internal OptimisticMergeProbe Probe { get; } = new();

    public IObservable<IChangeSet<OptimisticItem<Item, string>, string>> View { get; }

    public ObservableRecorder<IChangeSet<OptimisticItem<Item, string>, string>> Recorder { get; }

    /// <summary>The view as a dictionary rebuilt from its change sets.</summary>
    public Dictionary<string, OptimisticItem<Item, string>> Replica { get; } = [];

    /// <summary>Every change seen per key, in order.</summary>
    public Dictionary<string, List<ChangeReason>> History { get; } = [];

    public List<string> Violations { get; } = [];

    public static string CreatedKey(EditId id) => "e:" + id;

    public void Dispose()
    {
        _binding.Dispose();
        Recorder.Dispose();
        Edits.Dispose();
        Authoritative.Dispose();
    }

    private void Apply(IChangeSet<OptimisticItem<Item, string>, string> changes)
    {
        foreach (var change in changes)
        {
            if (!History.TryGetValue(change.Key, out var history))
            {
                History[change.Key] = history = [];
            }

            history.Add(change.Reason);
            switch (change.Reason)
            {
                case ChangeReason.Add:
                    if (!Replica.TryAdd(change.Key, change.Current))
                    {
                        Violations.Add($"Add of {change.Key}, which is already shown");
                    }

                    break;
                case ChangeReason.Update:
                    if (!Replica.TryGetValue(change.Key, out var updated))
                    {
                        Violations.Add($"Update of {change.Key}, which is not shown");
                    }
                    else if (!updated.Equals(change.Previous))
                    {
                        // The merge may make Previous anew, but it must equal what it published before.
                        Violations.Add($"Update of {change.Key} whose Previous ({change.Previous}) is not the item shown ({updated})");
                    }

                    Replica[change.Key] = change.Current;
                    break;
                case ChangeReason.Remove:
                    if (!Replica.Remove(change.Key, out var removed))
                    {
                        Violations.Add($"Remove of {change.Key}, which is not shown");
                    }
                    else if (!removed.Equals(change.Current))
                    {
                        Violations.Add($"Remove of {change.Key} whose item ({change.Current}) is not the item shown ({removed})");
                    }

                    break;
            }
        }
    }
}
