using System.Diagnostics.CodeAnalysis;
using System.Reactive.Concurrency;
using Reactive.Edits.ChangeSets;
using Reactive.Edits.Diagnostics;

namespace Reactive.Edits;

/// <summary>Holds the in-flight and failed edits of one input as a keyed, observable collection.</summary>
/// <typeparam name="T">The type of the requested values.</typeparam>
/// <remarks>
/// <para>
/// <see cref="Request(T)"/> adds a pending edit; its token settles it. An accepted, cancelled, superseded or discarded
/// edit leaves the set; a rejected one stays, with its value and error, until <see cref="Retry(EditId)"/> (same id,
/// new attempt, new token) or <see cref="Discard(EditId)"/>. Busy state, counts and lifecycle events all derive from
/// the one change-set stream <see cref="Connect()"/>.
/// </para>
/// <para>
/// Thread safety: every member may be called, and every token spent, from any thread. Notifications of every stream
/// are serialized and in the order the changes were applied.
/// </para>
/// <example>
/// <code>
/// using var edits = new EditSet&lt;string&gt;();
/// using var busy = edits.IsBusy.Subscribe(b =&gt; Console.WriteLine($"busy: {b}"));
/// var (token, value) = edits.Request("hello");   // busy: true
/// token.Accept();                                 // busy: false; the edit leaves the set
/// </code>
/// </example>
/// </remarks>
public sealed partial class EditSet<T> : IEditTokenOwner, IDisposable
{
    private readonly KeyedSource<Edit<T>, EditId> _source = new(static edit => edit.Id);
    private readonly EditMetrics _metrics;

    /// <summary>Initializes an edit set with the default options on the default scheduler.</summary>
    public EditSet()
        : this(EditSetOptions.Default)
    {
    }

    /// <summary>Initializes an edit set with <paramref name="options"/>, timestamping on the default scheduler.</summary>
    /// <param name="options">The policy and name.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    public EditSet(EditSetOptions options)
        : this(options, System.Reactive.Concurrency.Scheduler.Default)
    {
    }

    /// <summary>Initializes an edit set with <paramref name="options"/>, timestamping on <paramref name="scheduler"/>.</summary>
    /// <param name="options">The policy and name.</param>
    /// <param name="scheduler">The clock for request times and settle-time metrics, and the default scheduler of committers' timeouts; a virtual-time scheduler in tests.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="scheduler"/> is <see langword="null"/>.</exception>
    public EditSet(EditSetOptions options, IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Policy, nameof(options));
        ArgumentNullException.ThrowIfNull(scheduler);
        Policy = options.Policy;
        Scheduler = scheduler;
        _metrics = new EditMetrics(options.Name ?? EditSetOptions.Default.Name);
        _started = Policy.Overflow == EditOverflow.SupersedeInFlight ? [] : null;
        Counts = CreateCounts();
        IsBusy = CreateIsBusy();
        PendingCount = CreatePendingCount();
        Started = CreateStarted();
        Events = CreateEvents();
    }

    /// <summary>Initializes an edit set with <paramref name="options"/>, timestamping on <paramref name="timeProvider"/>.</summary>
    /// <param name="options">The policy and name.</param>
    /// <param name="timeProvider">The clock for request times and settle-time metrics, and the default clock of committers' timeouts; a <c>FakeTimeProvider</c> in tests.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="timeProvider"/> is <see langword="null"/>.</exception>
    /// <remarks><see cref="Scheduler"/> is then a scheduler that runs on <paramref name="timeProvider"/>'s timers, so Rx operators and the set share one clock.</remarks>
    public EditSet(EditSetOptions options, TimeProvider timeProvider)
        : this(options, TimeProviderScheduler.From(timeProvider))
    {
    }

    /// <summary>Gets the concurrency policy.</summary>
    public EditPolicy Policy { get; }

    /// <summary>Gets the scheduler whose clock timestamps the edits.</summary>
    public IScheduler Scheduler { get; }

    /// <summary>Gets a snapshot of the edits in the set (pending and rejected), in no particular order.</summary>
    public IReadOnlyList<Edit<T>> Items => _source.Items;

    /// <summary>Requests an edit: adds a pending edit with <paramref name="value"/> and returns it.</summary>
    /// <param name="value">The requested next state.</param>
    /// <returns>The new edit; deconstruct it as <c>var (token, value) = ...</c>.</returns>
    /// <exception cref="EditRefusedException">The policy refused the request (<see cref="EditOverflow.Refuse"/>).</exception>
    /// <exception cref="ObjectDisposedException">The set is disposed.</exception>
    public Edit<T> Request(T value) =>
        TryRequest(value, out var edit) ? edit : throw new EditRefusedException(Policy);

    /// <summary>Requests an edit unless the policy refuses it.</summary>
    /// <param name="value">The requested next state.</param>
    /// <param name="edit">The new edit, when the request was admitted.</param>
    /// <returns><see langword="true"/> if the edit was added; <see langword="false"/> if the policy refused it.</returns>
    /// <exception cref="ObjectDisposedException">The set is disposed.</exception>
    public bool TryRequest(T value, [NotNullWhen(true)] out Edit<T>? edit)
    {
        edit = Mutate((Set: this, Value: value), static (updater, state) => state.Set.RequestCore(updater, state.Value));
        return edit is not null;
    }

    /// <summary>Restores an edit that an earlier run of the program left unsettled, with its id, attempt, value and first request time: pending when <paramref name="error"/> is <see langword="null"/>, otherwise rejected with it.</summary>
    /// <param name="id">The edit's id, as the earlier run issued it.</param>
    /// <param name="value">The requested value.</param>
    /// <param name="attempt">The attempt the earlier run was on, at least 1. A restored pending edit keeps it, so that a server which deduplicates by id and attempt answers its resend with the outcome it recorded; a retry of a restored rejected edit is <paramref name="attempt"/> + 1.</param>
    /// <param name="requestedAt">When the edit was first requested (<see cref="Edit{T}.RequestedAt"/>), so that views keep their order across the restart.</param>
    /// <param name="error">Why the edit was rejected; <see langword="null"/> for a pending edit.</param>
    /// <param name="edit">The restored edit, when it was added.</param>
    /// <returns><see langword="true"/> if the edit was added; <see langword="false"/> if an edit with <paramref name="id"/> is in the set already (restoring twice changes nothing).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="attempt"/> is less than 1.</exception>
    /// <exception cref="ObjectDisposedException">The set is disposed.</exception>
    /// <remarks>
    /// <para>A restored pending edit is never refused and never supersedes another edit, whatever the policy: refusing
    /// it would lose what the user typed. When the policy's limit is reached it waits, in restore order, like a queued
    /// edit. It gets a new token (tokens are one-shot and never outlive a run) and a <see cref="Edit{T}.Sequence"/> after
    /// every edit already in the set, so restore edits in the order they were first requested.</para>
    /// <para>The change is an <see cref="ChangeReason.Add"/>; <see cref="Events"/> reports <see cref="EditEventKind.Restored"/>
    /// (then <see cref="EditEventKind.Started"/> for a pending edit that starts). <see cref="Edit{T}.IsRestored"/> is set
    /// for the rest of the edit's life.</para>
    /// </remarks>
    public bool TryRestore(EditId id, T value, int attempt, DateTimeOffset requestedAt, Exception? error, [NotNullWhen(true)] out Edit<T>? edit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        edit = Mutate(
            (Set: this, Id: id, Value: value, Attempt: attempt, RequestedAt: requestedAt, Error: error),
            static (updater, state) => state.Set.RestoreCore(updater, state.Id, state.Value, state.Attempt, state.RequestedAt, state.Error));
        return edit is not null;
    }

    /// <summary>Retries a rejected edit with its value: same id, a new attempt with a new token.</summary>
    /// <param name="id">The id of the rejected edit.</param>
    /// <returns><see langword="true"/> if the edit is pending again; <see langword="false"/> if it is not rejected or the policy refused.</returns>
    /// <exception cref="ObjectDisposedException">The set is disposed.</exception>
    public bool Retry(EditId id) => TryRetry(id, out _);

    /// <summary>Retries a rejected edit with a corrected value: same id, a new attempt with a new token.</summary>
    /// <param name="id">The id of the rejected edit.</param>
    /// <param name="value">The value to request instead.</param>
    /// <returns><see langword="true"/> if the edit is pending again; <see langword="false"/> if it is not rejected or the policy refused.</returns>
    /// <exception cref="ObjectDisposedException">The set is disposed.</exception>
    public bool Retry(EditId id, T value) => TryRetry(id, value, out _);

    /// <summary>Retries a rejected edit with its value, and returns the new attempt.</summary>
    /// <param name="id">The id of the rejected edit.</param>
    /// <param name="edit">The new attempt (same id, a new token), when the edit is pending again.</param>
    /// <returns><see langword="true"/> if the edit is pending again; <see langword="false"/> if it is not rejected or the policy refused.</returns>
    /// <exception cref="ObjectDisposedException">The set is disposed.</exception>
    /// <remarks>Use it where the code that retries also commits: the new token comes back with the call, so no look-up is needed to find it.</remarks>
    public bool TryRetry(EditId id, [NotNullWhen(true)] out Edit<T>? edit)
    {
        edit = Mutate((Set: this, Id: id), static (updater, state) => state.Set.RetryCore(updater, state.Id, hasValue: false, default!));
        return edit is not null;
    }

    /// <summary>Retries a rejected edit with a corrected value, and returns the new attempt.</summary>
    /// <param name="id">The id of the rejected edit.</param>
    /// <param name="value">The value to request instead.</param>
    /// <param name="edit">The new attempt (same id, a new token), when the edit is pending again.</param>
    /// <returns><see langword="true"/> if the edit is pending again; <see langword="false"/> if it is not rejected or the policy refused.</returns>
    /// <exception cref="ObjectDisposedException">The set is disposed.</exception>
    public bool TryRetry(EditId id, T value, [NotNullWhen(true)] out Edit<T>? edit)
    {
        edit = Mutate((Set: this, Id: id, Value: value), static (updater, state) => state.Set.RetryCore(updater, state.Id, hasValue: true, state.Value));
        return edit is not null;
    }

    /// <summary>Discards a rejected edit: it leaves the set with status <see cref="EditStatus.Discarded"/>.</summary>
    /// <param name="id">The id of the rejected edit.</param>
    /// <returns><see langword="true"/> if the edit was discarded; <see langword="false"/> if it is not rejected.</returns>
    /// <exception cref="ObjectDisposedException">The set is disposed.</exception>
    public bool Discard(EditId id) =>
        Mutate((Set: this, Id: id), static (updater, state) => state.Set.DiscardCore(updater, state.Id));

    /// <summary>Cancels a pending edit: its token is spent, its cancellation token fires and it leaves the set.</summary>
    /// <param name="id">The id of the pending edit.</param>
    /// <returns>Whether the edit was cancelled, and whether before or after its attempt started (see <see cref="EditCancellation"/>).</returns>
    /// <exception cref="ObjectDisposedException">The set is disposed.</exception>
    public EditCancellation Cancel(EditId id) =>
        Mutate((Set: this, Id: id), static (updater, state) => state.Set.CancelCore(updater, state.Id));

    /// <summary>Looks up the current snapshot of an edit in the set.</summary>
    /// <param name="id">The edit id.</param>
    /// <param name="edit">The edit, when it is in the set.</param>
    /// <returns><see langword="true"/> if the edit is pending or rejected.</returns>
    public bool TryGetEdit(EditId id, [MaybeNullWhen(false)] out Edit<T> edit) => _source.TryGetValue(id, out edit);

    /// <summary>Streams the edit set as change sets: the current edits first, then every change.</summary>
    /// <returns>A cold observable of change sets keyed by <see cref="EditId"/>.</returns>
    /// <remarks>
    /// <list type="table">
    /// <listheader><term>step</term><description>change</description></listheader>
    /// <item><term>request</term><description><see cref="ChangeReason.Add"/> of a pending edit</description></item>
    /// <item><term>start of a waiting edit, reject, retry</term><description><see cref="ChangeReason.Update"/>; <c>Previous</c> holds the prior snapshot</description></item>
    /// <item><term>accept, cancel, supersede, discard</term><description><see cref="ChangeReason.Remove"/>; <c>Current</c> is the terminal snapshot (its status says which), <c>Previous</c> the last snapshot in the set</description></item>
    /// <item><term>policy step (e.g. a supersede and a start)</term><description>one change set with every change of the step</description></item>
    /// <item><term>dispose</term><description>removal of every pending edit as <see cref="EditStatus.Cancelled"/>, then <c>OnCompleted</c></description></item>
    /// </list>
    /// </remarks>
    public IObservable<IChangeSet<Edit<T>, EditId>> Connect() => _source.Connect();

    /// <summary>Cancels every pending edit (status <see cref="EditStatus.Cancelled"/>) and completes every stream.</summary>
    public void Dispose()
    {
        _source.TryMutate(this, static (updater, set) => set.CancelAll(updater), out _);
        _source.Dispose();
    }

    // The source's own Mutate would name the internal KeyedSource in its ObjectDisposedException; this names the set.
    private TResult Mutate<TState, TResult>(TState state, Func<KeyedSource<Edit<T>, EditId>.Updater, TState, TResult> mutation)
    {
        var applied = _source.TryMutate(state, mutation, out var result);
        ObjectDisposedException.ThrowIf(!applied, this);
        return result;
    }

    bool IEditTokenOwner.Settle(EditToken token, EditStatus outcome, Exception? error) =>
        _source.TryMutate((Set: this, Token: token, Outcome: outcome, Error: error), static (updater, state) => state.Set.SettleCore(updater, state.Token, state.Outcome, state.Error), out var settled)
        && settled;
}
