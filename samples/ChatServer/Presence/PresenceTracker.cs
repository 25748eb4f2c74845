using ChatServer.Auth;
using ChatServer.Chat;
using ChatServer.Shared.Protocol;
using Microsoft.Extensions.Options;
using Reactive.Edits.ChangeSets;

namespace ChatServer.Presence;

/// <summary>Counts who is connected, as the library's keyed change sets (one entry per user, with its tab count, and
/// one entry for all anonymous readers).</summary>
/// <remarks>
/// A closed connection keeps counting for <see cref="ChatOptions.PresenceGrace"/>: if the same user connects again
/// within it (a reload, a network blip), the new connection takes the old one's place and the others see no change.
/// Abrupt disconnects reach here too: the WebSocket keep-alive timeout aborts the socket, which ends the connection.
/// Thread safety: every member may be called from any thread; changes are applied under one gate, in order.
/// </remarks>
public sealed class PresenceTracker : IDisposable
{
    private readonly object _gate = new();
    // "Alice" and "alice" are one user: one entry, shown with the spelling it was first present under.
    private readonly KeyedSource<PresenceEntry, string> _source = new(static entry => entry.User, UserNames.Comparer);
    private readonly Dictionary<string, UserState> _users = new(UserNames.Comparer);
    private readonly TimeProvider _time;
    private readonly TimeSpan _grace;
    private readonly List<(string User, TaskCompletionSource Scheduled)> _leaveWatchers = [];
    private readonly IPresenceSharing? _sharing;
    private readonly IDisposable? _shared;

    public PresenceTracker(TimeProvider time, IOptions<ChatOptions> options)
        : this(time, options, sharing: null)
    {
    }

    /// <summary>Initializes a tracker whose connections are counted with those of other nodes.</summary>
    /// <param name="time">The clock of the grace window.</param>
    /// <param name="options">The options (<see cref="ChatOptions.PresenceGrace"/>).</param>
    /// <param name="sharing">Where this node's counts go and the sums over every node come from; <see langword="null"/>
    /// for one node. With it, this tracker counts its open connections without a grace window, and the sharing applies
    /// the window to the sums, so that a reconnect to another node within it shows no change either.</param>
    public PresenceTracker(TimeProvider time, IOptions<ChatOptions> options, IPresenceSharing? sharing)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _grace = sharing is null ? options.Value.PresenceGrace : TimeSpan.Zero;
        _sharing = sharing;
        _shared = sharing?.Share(_source.Connect());
    }

    /// <summary>Replays who is present as one change set of adds, then streams every change.</summary>
    /// <returns>The presence change sets: over every node when shared.</returns>
    public IObservable<IChangeSet<PresenceEntry, string>> Connect() => _sharing?.Connect() ?? _source.Connect();

    /// <summary>Gets a snapshot of the entries: over every node when shared.</summary>
    public IReadOnlyList<PresenceEntry> Entries => _sharing?.Entries ?? _source.Items;

    /// <summary>Counts one more connection of <paramref name="user"/> (<see langword="null"/> for anonymous).</summary>
    /// <param name="user">The user name, from the connection's identity.</param>
    /// <returns>Disposing it ends the connection's presence, after the grace window.</returns>
    public IDisposable Join(string? user)
    {
        var key = user ?? PresenceEntry.AnonymousKey;
        lock (_gate)
        {
            if (!_users.TryGetValue(key, out var state))
            {
                state = new UserState(key);
                _users.Add(key, state);
            }
            if (state.Leaving.Count > 0)
            {
                // A quick reconnect takes the place of a connection still in its grace window: no visible change.
                var leaving = state.Leaving[^1];
                state.Leaving.RemoveAt(state.Leaving.Count - 1);
                leaving.Dispose();
            }
            else
            {
                state.Tabs++;
                _source.AddOrUpdate(new PresenceEntry(state.Name, state.Tabs));
            }
        }
        return new Membership(this, key);
    }

    public void Dispose()
    {
        _shared?.Dispose();
        lock (_gate)
        {
            foreach (var state in _users.Values)
            {
                foreach (var timer in state.Leaving)
                {
                    timer.Dispose();
                }
                state.Leaving.Clear();
            }
        }
        _source.Dispose();
    }

    private void Leave(string key)
    {
        lock (_gate)
        {
            if (!_users.TryGetValue(key, out var state))
            {
                return;
            }
            if (_grace <= TimeSpan.Zero)
            {
                Decrement(key, state);
                return;
            }
            // The callback takes the gate, which is held here: it cannot run before the timer is stored.
            var leaving = new PendingLeave(key);
            leaving.Timer = _time.CreateTimer(
                static state =>
                {
                    var (tracker, pending) = ((PresenceTracker, PendingLeave))state!;
                    tracker.GraceEnded(pending);
                },
                (this, leaving),
                _grace,
                Timeout.InfiniteTimeSpan);
            state.Leaving.Add(leaving);
            for (var i = _leaveWatchers.Count - 1; i >= 0; i--)
            {
                if (UserNames.Comparer.Equals(_leaveWatchers[i].User, key))
                {
                    _leaveWatchers[i].Scheduled.TrySetResult();
                    _leaveWatchers.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>Completes when a connection of <paramref name="user"/> has closed and its grace window started: a
    /// test hook, so that a test drives the grace window in virtual time without racing the server.</summary>
    internal Task WhenLeaveScheduled(string user)
    {
        var scheduled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _leaveWatchers.Add((user, scheduled));
        }
        return scheduled.Task;
    }

    private void GraceEnded(PendingLeave leaving)
    {
        lock (_gate)
        {
            // A leave whose place a reconnect took was removed from the list: its timer is stale and changes nothing.
            if (!_users.TryGetValue(leaving.Key, out var state) || !state.Leaving.Remove(leaving))
            {
                return;
            }
            leaving.Dispose();
            Decrement(leaving.Key, state);
        }
    }

    private void Decrement(string key, UserState state)
    {
        state.Tabs--;
        if (state.Tabs > 0)
        {
            _source.AddOrUpdate(new PresenceEntry(state.Name, state.Tabs));
            return;
        }
        _source.Remove(state.Name);
        if (state.Leaving.Count == 0)
        {
            _users.Remove(key);
        }
    }

    private sealed class UserState(string name)
    {
        // The spelling the user was first present under: every entry of the user carries it, whatever later tabs use.
        public string Name { get; } = name;

        public int Tabs { get; set; }

        public List<PendingLeave> Leaving { get; } = [];
    }

    private sealed class PendingLeave(string key) : IDisposable
    {
        public string Key { get; } = key;

        public ITimer? Timer { get; set; }

        public void Dispose() => Timer?.Dispose();
    }

    private sealed class Membership(PresenceTracker tracker, string key) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                tracker.Leave(key);
            }
        }
    }
}
