namespace Reactive.Edits.Optimistic;

/// <summary>Says how the edits of an <see cref="EditSet{T}"/> project onto an authoritative keyed collection.</summary>
/// <typeparam name="TItem">The type of the items.</typeparam>
/// <typeparam name="TKey">The type of the keys.</typeparam>
/// <typeparam name="TEdit">The type of the edits' values.</typeparam>
/// <example>
/// <code>
/// // A chat: each send creates the message keyed by its edit id; the server stores it under the same id.
/// var options = new OptimisticOptions&lt;Message, EditId, string&gt;
/// {
///     KeyOf = edit =&gt; edit.Id,
///     Predict = (edit, current) =&gt; new Message(edit.Id, "me", edit.Value),
/// };
/// </code>
/// </example>
public sealed class OptimisticOptions<TItem, TKey, TEdit>
    where TItem : class
    where TKey : notnull
{
    /// <summary>Gets the key of the item an edit targets: for a creation, a key derived from <see cref="Edit{T}.Id"/>; for an update or deletion, the item's key.</summary>
    /// <value>Required.</value>
    public required Func<Edit<TEdit>, TKey> KeyOf { get; init; }

    /// <summary>Gets the prediction: given an edit and the item it applies to (the authoritative item with earlier edits already applied, or <see langword="null"/> when absent), returns the item after the edit, or <see langword="null"/> when the edit deletes it.</summary>
    /// <value>Required. It is called again whenever the item beneath changes (rebase), so it must be a pure function of its arguments.</value>
    public required Func<Edit<TEdit>, TItem?, TItem?> Predict { get; init; }

    /// <summary>Gets the test that an authoritative item contains an accepted edit's effect, so its prediction can leave.</summary>
    /// <value>
    /// The default (<see langword="null"/>) counts an accepted edit as confirmed by any authoritative change of its key
    /// seen after its current attempt was requested, which is exact for creations keyed by edit id and for servers that
    /// send the change before the acknowledgement (as <c>Reactive.Edits.Remote</c> does).
    /// </value>
    public Func<TItem, Edit<TEdit>, bool>? IsConfirmedBy { get; init; }

    /// <summary>Gets how long an accepted edit's prediction stays while its authoritative item has not arrived.</summary>
    /// <value>The default is 30 seconds; then the prediction is dropped rather than kept forever.</value>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets a probe that counts the work done per change; used by tests to show the cost does not grow with the view.</summary>
    internal OptimisticMergeProbe? Probe { get; init; }
}
