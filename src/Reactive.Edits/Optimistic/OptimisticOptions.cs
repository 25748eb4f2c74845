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

    /// <summary>Gets the test that an authoritative item already contains an edit's effect, read from what the server keeps in the item (the ids of the edits applied to it, or a version).</summary>
    /// <value>
    /// The default (<see langword="null"/>) knows of no inclusion before an edit is accepted: every pending or failed edit is
    /// predicted on top of each authoritative item. An accepted edit is then taken as included by any authoritative change
    /// of its key seen after its current attempt was requested, which is exact for creations keyed by edit id and for
    /// servers that send the change before the acknowledgement (as <c>Reactive.Edits.Remote</c> does). Set the test whenever
    /// the server's items say which edits they contain: without it, an item that arrives before the acknowledgement and
    /// already contains a pending edit shows that edit applied twice until the acknowledgement.
    /// </value>
    /// <remarks>
    /// <para>
    /// The merge asks it about every edit of the key, whatever the edit's state, each time it recomputes the key:
    /// </para>
    /// <list type="bullet">
    /// <item><description>a pending or failed edit (a retried one too) that the authoritative item includes is not predicted
    /// on top of it: the key shows the authoritative item, still <see cref="OptimisticState.Pending"/> (or
    /// <see cref="OptimisticState.Failed"/>) until the edit settles. The edits it does not include are applied to it in
    /// request order (rebase), so each edit applies exactly once, whether in the item or on top of it;</description></item>
    /// <item><description>an accepted edit leaves as soon as the authoritative item includes it, whichever came first, the
    /// acknowledgement or the item: the item then replaces the prediction in place.</description></item>
    /// </list>
    /// <para>
    /// For a key with no authoritative item the test is not called, since there is nothing to read: the key's edits are
    /// predicted on nothing (a creation appears, an update or a deletion shows nothing), and an accepted edit leaves once a
    /// change of its key has been seen since its attempt was requested. That is how a deletion settles: by the removal.
    /// </para>
    /// <para>
    /// It must be a pure and cheap function of its arguments (it runs under the merge's gate, for every edit of a key at
    /// each recomputation); an exception it throws ends the view with <c>OnError</c>.
    /// </para>
    /// <para>
    /// For example, with a counter that the server stores as <c>record Counter(int Value, ImmutableList&lt;EditId&gt; AppliedEditIds)</c>,
    /// adding each edit's id as it applies it: <c>Includes = (counter, edit) =&gt; counter.AppliedEditIds.Contains(edit.Id)</c>.
    /// A counter at 10 with a pending +1 shows 11, then 21 over an authoritative 20, then 21 (not 22) over an authoritative
    /// 21 that includes the edit, still pending; on the acknowledgement the same 21 becomes confirmed.
    /// </para>
    /// </remarks>
    public Func<TItem, Edit<TEdit>, bool>? Includes { get; init; }

    /// <summary>Gets how long an accepted edit's prediction stays while its authoritative item has not arrived.</summary>
    /// <value>The default is 30 seconds; then the prediction is dropped rather than kept forever.</value>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets a probe that counts the work done per change; used by tests to show the cost does not grow with the view.</summary>
    internal OptimisticMergeProbe? Probe { get; init; }
}
