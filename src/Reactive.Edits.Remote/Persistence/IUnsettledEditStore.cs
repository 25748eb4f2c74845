namespace Reactive.Edits.Remote;

/// <summary>Keeps the unsettled edits of a client (pending or failed) as text entries keyed by edit id, so that they survive a restart: a page reload, a closed tab, a crash.</summary>
/// <remarks>
/// <para>An <see cref="UnsettledEditJournal{TCommand}"/> writes the entries and reads them back; the store only keeps
/// strings, so browser <c>localStorage</c>, a file or a table fits. Each entry is one JSON object holding the edit's id,
/// command kind, attempt, first request time, command (encoded by the <see cref="EditWireProtocol"/>) and, for a failed
/// edit, the error's code and message. Entries of several journals (several command kinds) may share one store.</para>
/// <para><see cref="InMemoryUnsettledEditStore"/> is the default: it keeps entries for the life of the process only.</para>
/// <para>Thread safety: a journal calls its store one call at a time. A store shared by several journals must allow
/// concurrent calls.</para>
/// </remarks>
public interface IUnsettledEditStore
{
    /// <summary>Reads every stored entry, in any order.</summary>
    /// <returns>The entries; empty when there are none.</returns>
    IReadOnlyList<string> Load();

    /// <summary>Stores <paramref name="entry"/> under <paramref name="id"/>, replacing what was stored under it.</summary>
    /// <param name="id">The edit id.</param>
    /// <param name="entry">The entry.</param>
    void Save(EditId id, string entry);

    /// <summary>Removes the entry stored under <paramref name="id"/>; does nothing if there is none.</summary>
    /// <param name="id">The edit id.</param>
    void Remove(EditId id);
}
