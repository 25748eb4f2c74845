namespace Reactive.Edits.Remote;

/// <summary>Keeps unsettled-edit entries in memory: they survive a new client, journal or edit set in the same process, not the end of the process.</summary>
/// <remarks>The default store. Thread safety: every member may be called from any thread.</remarks>
public sealed class InMemoryUnsettledEditStore : IUnsettledEditStore
{
    private readonly object _gate = new();
    private readonly Dictionary<EditId, string> _entries = [];

    /// <summary>Gets the number of stored entries.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Looks up the entry stored under an id.</summary>
    /// <param name="id">The edit id.</param>
    /// <param name="entry">The entry, when there is one.</param>
    /// <returns><see langword="true"/> if an entry is stored under <paramref name="id"/>.</returns>
    public bool TryGetEntry(EditId id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? entry)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(id, out entry);
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> Load()
    {
        lock (_gate)
        {
            return [.. _entries.Values];
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="entry"/> is <see langword="null"/>.</exception>
    public void Save(EditId id, string entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            _entries[id] = entry;
        }
    }

    /// <inheritdoc/>
    public void Remove(EditId id)
    {
        lock (_gate)
        {
            _entries.Remove(id);
        }
    }
}
