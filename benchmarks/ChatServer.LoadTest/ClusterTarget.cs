using System.Globalization;

namespace ChatServer.LoadTest;

/// <summary>The chat on several nodes sharing one room in Redis (<c>Chat:Store:Kind=Redis</c>, <c>Chat:Redis</c>): the
/// load's own <c>redis-server</c> and N node processes; client <c>i</c> connects to node <c>i mod N</c>, so readers and
/// senders are spread round-robin over the nodes.</summary>
public sealed class ClusterTarget : ILoadTarget
{
    private ClusterTarget(string name, RedisProcess redis, IReadOnlyList<ChatTarget> nodes)
    {
        Name = name;
        Redis = redis;
        Nodes = nodes;
    }

    public string Name { get; }

    /// <summary>Gets the Redis every node uses.</summary>
    public RedisProcess Redis { get; }

    /// <summary>Gets the nodes, in the order clients are spread over them.</summary>
    public IReadOnlyList<ChatTarget> Nodes { get; }

    /// <summary>Gets the first node (the load session reads the server's CPU through <see cref="ServerCpuSeconds"/>).</summary>
    public ServerProcess Server => Nodes[0].Server;

    /// <summary>Starts a fresh Redis and <paramref name="count"/> nodes on it, unpinned (they share the cores).</summary>
    public static async Task<ClusterTarget> StartAsync(string repositoryRoot, int count, string name)
    {
        var redis = await RedisProcess.StartAsync();
        var nodes = new List<ChatTarget>();
        try
        {
            var settings = new Dictionary<string, string>
            {
                ["Chat__Redis"] = redis.EndPoint,
                ["Chat__Store__Kind"] = "Redis",
            };
            // One after the other: the first node creates the shared Data Protection key, the others find it.
            for (var node = 0; node < count; node++)
            {
                nodes.Add(await ChatTarget.StartAsync(repositoryRoot, pin: false, settings, $"node {node}"));
            }
        }
        catch
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
            await redis.DisposeAsync();
            throw;
        }
        return new ClusterTarget(name, redis, nodes);
    }

    /// <summary>Gets the node client <paramref name="client"/> connects to first.</summary>
    public int NodeOf(int client) => client % Nodes.Count;

    public Task<ILoadConnection> ConnectAsync(int client, string? user, ILoadSink sink, CancellationToken cancellationToken) =>
        Nodes[NodeOf(client)].ConnectAsync(client, user, sink, cancellationToken);

    /// <summary>Gets the CPU seconds of every node still running and of Redis: the whole server side.</summary>
    public double ServerCpuSeconds() =>
        Nodes.Where(node => !node.Server.HasExited).Sum(node => node.Server.CpuSeconds())
        + (Redis.ProcessId is { } redis ? ServerProcess.CpuSecondsOf(redis) : 0);

    /// <summary>Describes the processes, one line each.</summary>
    public IEnumerable<string> Describe() =>
        Nodes.Select(node => string.Create(CultureInfo.InvariantCulture, $"  {node.Name}: {node.Server.Url} (pid {node.Server.ProcessId})"))
            .Append(string.Create(CultureInfo.InvariantCulture, $"  redis-server: {Redis.EndPoint} (pid {Redis.ProcessId}), appendonly yes, appendfsync always, dir {Redis.Directory}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
        await Redis.DisposeAsync();
    }
}
