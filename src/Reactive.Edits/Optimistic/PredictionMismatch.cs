namespace Reactive.Edits.Optimistic;

/// <summary>Reports that the authoritative item differs from the prediction it replaced.</summary>
/// <typeparam name="TItem">The type of the items.</typeparam>
/// <typeparam name="TKey">The type of the keys.</typeparam>
/// <param name="Key">The key.</param>
/// <param name="Predicted">The item the user saw.</param>
/// <param name="Confirmed">The authoritative item now shown.</param>
/// <param name="EditId">The edit whose prediction it was.</param>
public readonly record struct PredictionMismatch<TItem, TKey>(TKey Key, TItem Predicted, TItem Confirmed, EditId? EditId);
