namespace Reactive.Edits.Optimistic;

/// <summary>Counts the keys recomputed and predictions evaluated by an optimistic merge (a test hook, not timing).</summary>
internal sealed class OptimisticMergeProbe
{
    public long KeysRecomputed { get; set; }

    public long PredictionsEvaluated { get; set; }

    /// <summary>Gets or sets how many authoritative items the merge keeps in a table of its own, after its latest authoritative change set.</summary>
    public int AuthoritativeItemsCopied { get; set; }
}
