using ChatServer.Presence;
using ChatServer.Shared.Protocol;
using ChatServer.Tests.Support;

namespace ChatServer.Tests.Attacks;

/// <summary>A join must not re-encode everyone's presence under the room's lock: with thousands of names present, a
/// wave of joins (each of which changes the presence it must be told) would hold the lock for each of them.</summary>
public sealed class PresenceJoinCostTests
{
    private const int Present = 2_000;
    private const int Joiners = 20;

    [Fact]
    public async Task AWaveOfJoins_ReusesOneEncodedPresenceState_AndEachJoinerEndsWithTheTrueState()
    {
        await using var host = await ChatHost.StartAsync();
        var tracker = host.Services.GetRequiredService<PresenceTracker>();
        var memberships = Enumerable.Range(0, Present).Select(i => tracker.Join($"user-{i:D4}")).ToList();
        await using var watcher = await TestUser.LoginAsync(host, "watcher");
        using var watched = new LiveCollection<PresenceEntry, string>((await watcher.ConnectAsync()).Presence);
        await watched.WaitUntilAsync(p => p.Count == Present + 1);
        var encodedBefore = host.Room.PresenceStatesEncoded;

        // Each joiner is an anonymous reader: its own join changes the readers' count that the next one is told.
        var joined = new List<LiveCollection<PresenceEntry, string>>();
        await using var readers = TestUser.Anonymous(host);
        for (var i = 1; i <= Joiners; i++)
        {
            var presence = new LiveCollection<PresenceEntry, string>((await readers.ConnectAsync()).Presence);
            joined.Add(presence);
            var tabs = i;
            await presence.WaitUntilAsync(p => p.Count == Present + 2 && p[PresenceEntry.AnonymousKey].Tabs == tabs);
        }

        await watched.WaitUntilAsync(p => p.TryGetValue(PresenceEntry.AnonymousKey, out var e) && e.Tabs == Joiners);
        foreach (var presence in joined)
        {
            await presence.WaitUntilAsync(p => p[PresenceEntry.AnonymousKey].Tabs == Joiners);
            presence.Items.Values.Should().BeEquivalentTo(tracker.Entries);
            presence.Dispose();
        }
        (host.Room.PresenceStatesEncoded - encodedBefore).Should().BeLessThanOrEqualTo(
            2, "the state is encoded once and the changes since are appended; {0} joins encoded it each time before", Joiners);
        memberships.ForEach(static m => m.Dispose());
    }
}
