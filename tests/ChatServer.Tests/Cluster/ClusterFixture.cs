using ChatServer.Tests.Support;

namespace ChatServer.Tests.Cluster;

/// <summary>One <see cref="ChatCluster"/> of three nodes for a test class: its start (Redis, three servers, HAProxy) takes
/// seconds, so the tests share it, and each test that kills a piece starts it again before it ends.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private ChatCluster? _cluster;

    /// <summary>Gets why the tests are skipped (haproxy or redis-server missing), or <see langword="null"/>.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>Gets the running cluster; skips the test when it could not start for a missing tool.</summary>
    public ChatCluster Cluster
    {
        get
        {
            Skip.If(SkipReason is not null, SkipReason);
            return _cluster!;
        }
    }

    public async Task InitializeAsync()
    {
        try
        {
            _cluster = await ChatCluster.StartAsync(nodeCount: 3);
        }
        catch (SkipException skip)
        {
            SkipReason = skip.Message;
        }
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
