using System.Reactive.Subjects;
using Reactive.Edits.ChangeSets;

namespace Reactive.Edits.Remote;

/// <summary>Keeps the unsettled edits of an <see cref="EditSet{T}"/> in an <see cref="IUnsettledEditStore"/>, and restores them after a restart, so that what the user sent survives a reload, a closed tab or a crash.</summary>
/// <typeparam name="TCommand">The type of the edits' values, a command type the wire protocol carries.</typeparam>
/// <remarks>
/// <list type="table">
/// <listheader><term>edit set change</term><description>store</description></listheader>
/// <item><term>an edit is requested, retried or restored (pending)</term><description><see cref="IUnsettledEditStore.Save"/> of its entry: id, kind, attempt, first request time, command</description></item>
/// <item><term>an edit is rejected (failed)</term><description><see cref="IUnsettledEditStore.Save"/> of its entry with the error's code and message</description></item>
/// <item><term>an edit is accepted, discarded, cancelled or superseded</term><description><see cref="IUnsettledEditStore.Remove"/></description></item>
/// <item><term>an attempt starts (no change of what is stored)</term><description>nothing</description></item>
/// </list>
/// <para><see cref="Restore"/>, at startup, puts every stored edit of this command kind back into the set with
/// <see cref="EditSet{T}.TryRestore"/>: a pending one as pending, with its same id and attempt, so that a
/// <see cref="RemoteEditClient{TCommand}"/> resends it and a server that deduplicates by id (its
/// <see cref="IEditLedger{TCommand}"/>) applies it at most once — if the earlier run crashed after the server applied it
/// and before the ack arrived, the resend is answered with the recorded outcome and the edit settles once. A failed one
/// comes back failed, with a <see cref="RemoteEditRejectedException"/> carrying the stored code and message, so that the
/// user can retry or discard it; the retry is the next attempt.</para>
/// <para>Errors are stored as a <see cref="RemoteError"/>: a <see cref="RemoteEditRejectedException"/> with its own code,
/// a <see cref="RemoteEditGaveUpException"/> as <see cref="RemoteErrorCodes.GaveUp"/>, any other exception as
/// <see cref="RemoteErrorCodes.Failed"/> with its message.</para>
/// <para>A failing store never changes an edit's life: the edit set is the truth while the program runs. A write that
/// throws is reported on <see cref="StoreErrors"/> and kept; it is tried again, latest state first, with every later
/// write and with <see cref="Flush"/>. So an accept or a discard whose removal failed is removed later; if the program
/// ends first, the entry comes back at the next start — an accepted edit is then resent with its id and answered from the
/// server's ledger, a discarded one shows again as failed. Nothing is lost; at worst something shows twice.</para>
/// <para>Order of disposal: dispose the journal before its edit set. Disposing the set cancels its pending edits, and a
/// journal still attached forgets cancelled edits.</para>
/// <para>Thread safety: every member may be called from any thread; the store is called one call at a time.</para>
/// <example>
/// <code>
/// var protocol = new EditWireProtocol().WithCommand(ChatJson.Default.SendMessage);
/// using var edits = new EditSet&lt;SendMessage&gt;();
/// using var journal = new UnsettledEditJournal&lt;SendMessage&gt;(edits, protocol, store); // e.g. localStorage
/// journal.Restore();                                   // what the last run left: pending ones are resent, failed ones show Retry
/// using var client = new RemoteEditClient&lt;SendMessage&gt;(edits);
/// </code>
/// </example>
/// </remarks>
public sealed class UnsettledEditJournal<TCommand> : IDisposable
{
    private readonly EditSet<TCommand> _edits;
    private readonly IUnsettledEditStore _store;
    private readonly UnsettledEditCodec<TCommand> _codec;
    private readonly Subject<Exception> _storeErrors = new();

    // Guarded by the gate: what the store holds as far as the journal knows, and the writes still to do (null: remove).
    private readonly object _gate = new();
    private readonly Dictionary<EditId, string> _written = [];
    private readonly Dictionary<EditId, string?> _unwritten = [];
    private readonly IDisposable _subscription;
    private bool _disposed;

    /// <summary>Attaches a journal to <paramref name="edits"/>: from now on every unsettled edit of the set is kept in <paramref name="store"/>, starting with those in the set already.</summary>
    /// <param name="edits">The edit set.</param>
    /// <param name="protocol">The wire protocol; it must carry <typeparamref name="TCommand"/> (or, for a base type, its concrete command types), whose kind names and type infos encode the commands.</param>
    /// <param name="store">The store, e.g. an <see cref="InMemoryUnsettledEditStore"/> or one over browser <c>localStorage</c>.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The protocol has no command kind for <typeparamref name="TCommand"/>.</exception>
    public UnsettledEditJournal(EditSet<TCommand> edits, EditWireProtocol protocol, IUnsettledEditStore store)
    {
        ArgumentNullException.ThrowIfNull(edits);
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(store);
        if (!protocol.Carries<TCommand>())
        {
            throw new ArgumentException($"The protocol has no command kind for {typeof(TCommand).Name}: add it with WithCommand.", nameof(protocol));
        }

        _edits = edits;
        _store = store;
        _codec = new UnsettledEditCodec<TCommand>(protocol);
        _subscription = edits.Connect().Subscribe(OnChanges);
    }

    /// <summary>Gets the failures of the store, and the stored entries that could not be read (as a <see cref="FormatException"/>; they are left in the store).</summary>
    /// <remarks>Hot: no replay. Notified one at a time; completes when the journal is disposed.</remarks>
    public IObservable<Exception> StoreErrors => _storeErrors;

    /// <summary>Gets the number of writes that failed and wait to be tried again.</summary>
    public int UnwrittenCount
    {
        get
        {
            lock (_gate)
            {
                return _unwritten.Count;
            }
        }
    }

    /// <summary>Puts every stored edit of this command kind back into the edit set, in the order they were first requested: pending ones pending (resent with the same id and attempt), failed ones failed with their error.</summary>
    /// <returns>The restored edits; an edit whose id is in the set already is skipped.</returns>
    /// <exception cref="ObjectDisposedException">The journal or the edit set is disposed.</exception>
    /// <remarks>
    /// <para>Call it once at startup, before or after attaching a <see cref="RemoteEditClient{TCommand}"/> (a client picks
    /// up started edits when it attaches, and sends them when connected). Entries of other command kinds are left to
    /// their own journals; an entry that cannot be read is reported on <see cref="StoreErrors"/> and left in the store.</para>
    /// <para>An exception of <see cref="IUnsettledEditStore.Load"/> propagates: nothing was restored and nothing is lost.</para>
    /// </remarks>
    public IReadOnlyList<Edit<TCommand>> Restore()
    {
        var found = new List<UnsettledEditCodec<TCommand>.UnsettledEdit>();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var entry in _store.Load())
            {
                var decoded = _codec.Decode(entry);
                if (decoded.Problem is { } problem)
                {
                    _storeErrors.OnNext(new FormatException(problem));
                }
                else if (decoded.Edit is { } edit)
                {
                    found.Add(edit);

                    // What the store holds already need not be written again when the restore adds it to the set.
                    _written.TryAdd(edit.Id, entry);
                }
            }
        }

        found.Sort(static (a, b) => a.RequestedAt != b.RequestedAt ? a.RequestedAt.CompareTo(b.RequestedAt) : a.Id.CompareTo(b.Id));
        var restored = new List<Edit<TCommand>>(found.Count);
        foreach (var edit in found)
        {
            if (_edits.TryRestore(edit.Id, edit.Command, edit.Attempt, edit.RequestedAt, edit.Error?.ToException(), out var added))
            {
                restored.Add(added);
            }
        }

        return restored;
    }

    /// <summary>Tries again every write that failed.</summary>
    /// <returns><see langword="true"/> if the store is now up to date with the edit set; <see langword="false"/> if a write failed again (reported on <see cref="StoreErrors"/>).</returns>
    public bool Flush()
    {
        lock (_gate)
        {
            return !_disposed && WriteUnwritten();
        }
    }

    /// <summary>Detaches the journal: the store keeps what it holds; writes that failed are tried once more.</summary>
    /// <remarks>Dispose the journal before its edit set (see the remarks of the class). Calling it again does nothing.</remarks>
    public void Dispose()
    {
        _subscription.Dispose();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            WriteUnwritten();
            _disposed = true;
            _storeErrors.OnCompleted();
            _storeErrors.Dispose();
        }
    }

    private void OnChanges(IChangeSet<Edit<TCommand>, EditId> changes)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var any = false;
            foreach (var change in changes)
            {
                var edit = change.Current;
                string? entry = change.Reason == ChangeReason.Remove || edit.Status is not (EditStatus.Pending or EditStatus.Rejected)
                    ? null
                    : _codec.Encode(edit);
                if (entry is not null && _written.TryGetValue(edit.Id, out var stored) && string.Equals(stored, entry, StringComparison.Ordinal))
                {
                    // A start, or the restore of what the store holds: nothing new to write. A later state may be unwritten.
                    _unwritten.Remove(edit.Id);
                    continue;
                }

                _unwritten[edit.Id] = entry;
                any = true;
            }

            if (any)
            {
                WriteUnwritten();
            }
        }
    }

    // Runs under the gate: writes the latest state of every edit whose store entry is out of date.
    private bool WriteUnwritten()
    {
        if (_unwritten.Count == 0)
        {
            return true;
        }

        var allWritten = true;
        foreach (var (id, entry) in _unwritten.ToArray())
        {
            try
            {
                if (entry is null)
                {
                    _store.Remove(id);
                    _written.Remove(id);
                }
                else
                {
                    _store.Save(id, entry);
                    _written[id] = entry;
                }

                _unwritten.Remove(id);
            }
#pragma warning disable CA1031 // A failing store must not break the edit set's notifications: the failure is reported and the write kept.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                allWritten = false;
                _storeErrors.OnNext(ex);
            }
        }

        return allWritten;
    }
}
