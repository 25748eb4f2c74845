using ChatServer.Shared.Protocol;
using Reactive.Edits.ChangeSets;

namespace ChatServer.Presence;

/// <summary>Shares one node's presence with the other nodes and sums theirs: what <see cref="PresenceTracker"/> shows
/// when the chat runs on several nodes.</summary>
/// <remarks>Thread safety: every member may be called from any thread.</remarks>
public interface IPresenceSharing
{
    /// <summary>Publishes this node's presence: its open connections per user, without a grace window.</summary>
    /// <param name="local">This node's presence change sets (replayed, then streamed).</param>
    /// <returns>Disposing it stops publishing.</returns>
    IDisposable Share(IObservable<IChangeSet<PresenceEntry, string>> local);

    /// <summary>Replays the presence summed over every node as one change set of adds, then streams every change.</summary>
    /// <returns>The summed presence change sets, with the grace window applied.</returns>
    IObservable<IChangeSet<PresenceEntry, string>> Connect();

    /// <summary>Gets a snapshot of the summed entries.</summary>
    IReadOnlyList<PresenceEntry> Entries { get; }
}
