namespace Reactive.Edits.Optimistic;

/// <summary>Counts the keys recomputed and predictions evaluated by an optimistic merge (a test hook, not timing).</summary>
internal sealed class OptimisticMergeProbe
{
    public long KeysRecomputed { get; set; }

    public long PredictionsEvaluated { get; set; }
}
