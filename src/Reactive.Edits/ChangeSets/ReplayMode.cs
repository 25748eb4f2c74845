namespace Reactive.Edits.ChangeSets;

/// <summary>Says how a subscription to a <see cref="KeyedSource{TObject, TKey}"/> starts.</summary>
internal enum ReplayMode
{
    /// <summary>The current items as one change set of adds, nothing when empty (the public behaviour).</summary>
    NonEmpty,

    /// <summary>The current items as one change set, even an empty one, so that derived state has a first value.</summary>
    Always,

    /// <summary>No replay: only the changes after subscribing.</summary>
    None,
}
