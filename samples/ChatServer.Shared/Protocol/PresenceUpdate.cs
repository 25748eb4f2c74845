using Reactive.Edits.ChangeSets;

namespace ChatServer.Shared.Protocol;

/// <summary>A change set of the presence collection (keyed by <see cref="PresenceEntry.User"/>), as it travels on
/// the wire. The first one on a connection holds the current state as adds; later ones are live changes.</summary>
/// <param name="Changes">The changes, in order.</param>
public sealed record PresenceUpdate(IReadOnlyList<PresenceChange> Changes);

/// <summary>One change of the presence collection.</summary>
/// <param name="Reason">Add, Update or Remove.</param>
/// <param name="Entry">The entry after the change (for a Remove, the entry that left).</param>
public sealed record PresenceChange(ChangeReason Reason, PresenceEntry Entry);
