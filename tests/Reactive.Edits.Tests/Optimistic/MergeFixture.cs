using System.Reactive.Disposables;
using System.Reactive.Linq;
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

/// <summary>What feeds the merge its authoritative change sets.</summary>
public enum AuthoritativeInput
{
    /// <summary><see cref="KeyedSource{TObject, TKey}.Connect()"/> itself: the merge reads the source's table.</summary>
    KeyedSource,

    /// <summary>The same change sets through another observable: the merge keeps a table of its own.</summary>
    OtherStream,
}

public static class AuthoritativeInputExtensions
{
    /// <summary>Connects to <paramref name="source"/> the way <paramref name="input"/> names.</summary>
    public static IObservable<IChangeSet<T, string>> Connect<T>(this AuthoritativeInput input, KeyedSource<T, string> source) =>
        input == AuthoritativeInput.KeyedSource ? source.Connect() : source.Connect().Select(static changes => changes);
}

/// <summary>An authoritative source, an edit set and their optimistic view, bound into a replica that checks every change.</summary>
public sealed class MergeFixture : IDisposable
{
    public static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(10);

    private readonly IDisposable _binding;

    public MergeFixture(Func<Item, Edit<Op>, bool>? includes = null, EditSetOptions? editSetOptions = null, AuthoritativeInput input = AuthoritativeInput.KeyedSource)
    {
        Edits = new EditSet<Op>(editSetOptions ?? EditSetOptions.Default, Clock);
        Options = new OptimisticOptions<Item, string, Op>
        {
            KeyOf = static edit => edit.Value.Kind == OpKind.Create ? CreatedKey(edit.Id) : edit.Value.Target!,
            Predict = static (edit, current) => edit.Value.Kind switch
            {
                OpKind.Create => new Item(CreatedKey(edit.Id), edit.Value.Text, 0),
                OpKind.Update => current is null ? null : current with { Text = edit.Value.Text },
                _ => null,
            },
            Includes = includes,
            SettleTimeout = SettleTimeout,
            Probe = Probe,
        };
        View = input.Connect(Authoritative).MergeOptimistic(Edits, Options);

        // One merge feeds the recorder and the replica, as an application binds one view: fed by the source itself, it is
        // then the source's lone subscriber, which lends it its change sets. A test that subscribes View again adds a
        // merge of its own, and the source stops lending while there is more than one.
        var view = View.Publish();
        Recorder = view.Record();
        _binding = new CompositeDisposable(view.Subscribe(Shown.Apply), view.Connect());
    }

    public TestClock Clock { get; } = new();

    public KeyedSource<Item, string> Authoritative { get; } = new(static item => item.Key);

    public EditSet<Op> Edits { get; }

    public OptimisticOptions<Item, string, Op> Options { get; }

    internal OptimisticMergeProbe Probe { get; } = new();

    public IObservable<IChangeSet<OptimisticItem<Item, string>, string>> View { get; }

    public ObservableRecorder<IChangeSet<OptimisticItem<Item, string>, string>> Recorder { get; }

    public ViewReplica<Item> Shown { get; } = new();

    /// <summary>The view as a dictionary rebuilt from its change sets.</summary>
    public Dictionary<string, OptimisticItem<Item, string>> Replica => Shown.Items;

    /// <summary>Every change seen per key, in order.</summary>
    public Dictionary<string, List<ChangeReason>> History => Shown.History;

    public List<string> Violations => Shown.Violations;

    public static string CreatedKey(EditId id) => "e:" + id;

    public void Dispose()
    {
        _binding.Dispose();
        Recorder.Dispose();
        Edits.Dispose();
        Authoritative.Dispose();
    }
}
