using ChatServer.Auth;
using ChatServer.Chat;
using ChatServer.Presence;
using ChatServer.Shared.Protocol;
using System.Reactive;
using System.Reactive.Subjects;
using Microsoft.Extensions.Options;
using Reactive.Edits.ChangeSets;
using StackExchange.Redis;

namespace ChatServer.Storage.Redis;

/// <summary>Presence over several nodes: each node keeps its open connections per user in a Redis hash of its own that
/// expires unless renewed, and shows the sums over every node whose hash is alive.</summary>
/// <remarks>
/// <para>One script (<see cref="SharedStateScripts.SyncPresence"/>) writes this node's hash (expiring after
/// <see cref="ChatOptions.NodeTimeout"/>) and reads the other nodes'. It runs when this node's connections change (and
/// then publishes on <see cref="SharedStateKeys.PresenceChanged"/>, which makes the other nodes run it), and every
/// <see cref="ChatOptions.NodeHeartbeat"/>. A node that dies without a word stops renewing its hash: Redis drops it after
/// the timeout, and the others stop counting it at their next heartbeat.</para>
/// <para>The sums go through a <see cref="PresenceTracker"/> of their own, which applies
/// <see cref="ChatOptions.PresenceGrace"/>: a user's count that falls is shown falling only after the grace window,
/// unless it rises again within it. So a reconnect that lands on another node, within the window, shows no change, as on
/// one node. (The nodes' own trackers count without a window.)</para>
/// <para>This node's own connections count at once, without waiting for Redis. While Redis is away, the other nodes'
/// last known counts are kept, with this node's own; when it returns the sums catch up.</para>
/// <para>Thread safety: every member may be called from any thread.</para>
/// </remarks>
public sealed class RedisPresence : IPresenceSharing, IDisposable
{
    private readonly object _gate = new();
    private readonly SharedRedisConnection _redis;
    private readonly TimeProvider _time;
    private readonly TimeSpan _heartbeat;
    private readonly TimeSpan _timeout;
    private readonly RedisOutage _outage;
    // The sums, shown with the grace window: one membership of this tracker per connection counted over every node.
    private readonly PresenceTracker _shown;
    private readonly Dictionary<string, Stack<IDisposable>> _memberships = new(UserNames.Comparer);
    // This node's open connections per user (as its tracker spells the user), and the other nodes' sums, last read.
    private readonly Dictionary<string, int> _local = new(StringComparer.Ordinal);
    private Dictionary<string, int> _others = new(UserNames.Comparer);
    private bool _localChanged = true;
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Subject<Unit> _synced = new();

    public RedisPresence(SharedRedisConnection redis, TimeProvider time, IOptions<ChatOptions> options, ILogger<RedisPresence> logger)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis;
        _time = time;
        _heartbeat = options.Value.NodeHeartbeat;
        _timeout = options.Value.NodeTimeout;
        _outage = new RedisOutage("presence", "showing the other nodes' last known connections, with this node's own", logger);
        _shown = new PresenceTracker(time, options);
    }

    public IObservable<IChangeSet<PresenceEntry, string>> Connect() => _shown.Connect();

    public IReadOnlyList<PresenceEntry> Entries => _shown.Entries;

    public IDisposable Share(IObservable<IChangeSet<PresenceEntry, string>> local)
    {
        ArgumentNullException.ThrowIfNull(local);
        return local.Subscribe(LocalChanged);
    }

    /// <summary>Writes this node's presence and reads the others' on every change and every heartbeat, until
    /// <paramref name="stopping"/>.</summary>
    /// <param name="stopping">Stops the loop.</param>
    /// <returns>A task that completes when stopped.</returns>
    public async Task RunAsync(CancellationToken stopping)
    {
        var subscriber = _redis.Multiplexer.GetSubscriber();
        try
        {
            // Another node's change wakes this one; its own publications are ignored.
            (await subscriber.SubscribeAsync(SharedStateKeys.PresenceChanged)).OnMessage(message =>
            {
                if (message.Message != _redis.NodeId)
                {
                    Wake();
                }
            });
        }
        catch (Exception ex) when (RedisFailures.IsUnavailable(ex))
        {
            // The client subscribes again when it reconnects; until then the heartbeat reads.
            _outage.Failed(ex);
        }
        while (!stopping.IsCancellationRequested)
        {
            Task wake;
            lock (_gate)
            {
                wake = _wake.Task;
            }
            await SyncAsync();
            try
            {
                await Task.WhenAny(wake, Task.Delay(_heartbeat, _time, stopping));
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Signals each sync with Redis that succeeded: a test hook, to wait until this node has read another's change.</summary>
    internal IObservable<Unit> Synced => _synced;

    /// <summary>Gets the connections of <paramref name="user"/> on the other nodes, as last read: a test hook.</summary>
    internal int OtherNodesTabs(string user)
    {
        lock (_gate)
        {
            return _others.GetValueOrDefault(user);
        }
    }

    /// <summary>Completes when a fall of <paramref name="user"/>'s summed count started its grace window: a test hook.</summary>
    internal Task WhenLeaveScheduled(string user) => _shown.WhenLeaveScheduled(user);

    public void Dispose()
    {
        _shown.Dispose();
        _synced.Dispose();
    }

    private async Task SyncAsync()
    {
        RedisValue[] arguments;
        bool publish;
        lock (_gate)
        {
            publish = _localChanged;
            _localChanged = false;
            arguments = new RedisValue[4 + (2 * _local.Count)];
            var i = 4;
            foreach (var (user, tabs) in _local)
            {
                arguments[i++] = user;
                arguments[i++] = tabs;
            }
        }
        arguments[0] = _redis.NodeId;
        arguments[1] = (long)_timeout.TotalMilliseconds;
        arguments[2] = SharedStateKeys.PresenceChangedName;
        arguments[3] = publish ? 1 : 0;
        try
        {
            var result = (RedisResult[])(await _redis.Database.ScriptEvaluateAsync(
                SharedStateScripts.SyncPresence,
                [SharedStateKeys.PresenceNodes, SharedStateKeys.PresenceNode(_redis.NodeId)],
                arguments))!;
            var others = new Dictionary<string, int>(UserNames.Comparer);
            for (var i = 0; i < result.Length;)
            {
                // The node's id, the number of fields and values, then they.
                var count = (int)result[i + 1];
                for (var j = i + 2; j < i + 2 + count; j += 2)
                {
                    var user = (string)result[j]!;
                    others[user] = others.GetValueOrDefault(user) + (int)result[j + 1];
                }
                i += 2 + count;
            }
            lock (_gate)
            {
                _others = others;
                Show();
            }
            _outage.Succeeded();
            _synced.OnNext(Unit.Default);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Redis away, or this node's connection closed: keep what is known, and publish the change next time.
            _outage.Failed(ex);
            if (publish)
            {
                lock (_gate)
                {
                    _localChanged = true;
                }
            }
        }
    }

    private void LocalChanged(IChangeSet<PresenceEntry, string> changes)
    {
        lock (_gate)
        {
            foreach (var change in changes)
            {
                if (change.Reason == ChangeReason.Remove)
                {
                    _local.Remove(change.Key);
                }
                else
                {
                    _local[change.Key] = change.Current.Tabs;
                }
            }
            _localChanged = true;
            Show();
        }
        Wake();
    }

    private void Wake()
    {
        TaskCompletionSource woken;
        lock (_gate)
        {
            woken = _wake;
            _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        woken.TrySetResult();
    }

    // Under the gate: brings the shown counts to this node's plus the others'.
    private void Show()
    {
        var sums = new Dictionary<string, int>(_local, UserNames.Comparer);
        foreach (var (user, tabs) in _others)
        {
            sums[user] = sums.GetValueOrDefault(user) + tabs;
        }
        foreach (var (user, tabs) in sums)
        {
            if (!_memberships.TryGetValue(user, out var memberships))
            {
                memberships = new Stack<IDisposable>();
                _memberships.Add(user, memberships);
            }
            while (memberships.Count < tabs)
            {
                memberships.Push(_shown.Join(user.Length == 0 ? null : user));
            }
            Shrink(memberships, tabs);
        }
        List<string>? gone = null;
        foreach (var (user, memberships) in _memberships)
        {
            if (!sums.ContainsKey(user))
            {
                Shrink(memberships, 0);
                (gone ??= []).Add(user);
            }
        }
        // Kept bounded by the users present: a left user's (empty) stack goes.
        foreach (var user in gone ?? [])
        {
            _memberships.Remove(user);
        }
    }

    private static void Shrink(Stack<IDisposable> memberships, int tabs)
    {
        while (memberships.Count > tabs)
        {
            memberships.Pop().Dispose();
        }
    }
}
