namespace ChatServer.Tests.Support;

/// <summary>The chat on several nodes as an operator runs it: a <see cref="RedisServer"/> of its own, N built chat servers
/// (<see cref="ServerProcess"/>) sharing it through <c>Chat__Redis</c> and <c>Chat__Store__Kind=Redis</c>, and HAProxy in
/// front (<see cref="Balancer"/>, the template of <c>samples/ChatServer/cluster/run-cluster.sh</c>), each on a free
/// loopback port, with a temporary directory that <see cref="DisposeAsync"/> deletes.</summary>
/// <remarks>The nodes run in the <c>Development</c> profile, the only one in which a build output (not a published app)
/// serves the Blazor client; the profile's demo latency and failures are turned off, and its allowed origins are
/// replaced by the balancer's and the tests' own. Skipped with a message without <c>haproxy</c> or <c>redis-server</c>,
/// or failed under <c>REQUIRE_HAPROXY=1</c> / <c>REQUIRE_REDIS=1</c>.</remarks>
public sealed class ChatCluster : IAsyncDisposable
{
    private readonly string _directory;
    private readonly ServerLaunch[] _launches;
    private readonly ServerProcess?[] _nodes;
    private Balancer? _balancer;

    private ChatCluster(string directory, RedisServer redis, ServerLaunch[] launches)
    {
        _directory = directory;
        Redis = redis;
        _launches = launches;
        _nodes = new ServerProcess?[launches.Length];
    }

    /// <summary>Gets the balancer's address: the one URL for every node.</summary>
    public Uri Address => Balancer.Address;

    /// <summary>Gets HAProxy, to wait until it sees a node up or down.</summary>
    public Balancer Balancer => _balancer ?? throw new InvalidOperationException("The cluster has not started.");

    /// <summary>Gets the Redis server every node shares (kill it and restart it to test an outage).</summary>
    public RedisServer Redis { get; }

    /// <summary>Gets the temporary directory of the nodes' folders and HAProxy's configuration, deleted on dispose.</summary>
    public string TemporaryDirectory => _directory;

    /// <summary>Gets the number of nodes.</summary>
    public int NodeCount => _nodes.Length;

    /// <summary>Gets the running process of the node at <paramref name="index"/> (a new one after a restart).</summary>
    public ServerProcess Node(int index) => _nodes[index] ?? throw new InvalidOperationException($"Node {index + 1} is not running.");

    /// <summary>Gets the address of the node at <paramref name="index"/> itself, bypassing the balancer.</summary>
    public Uri NodeAddress(int index) => ServerProcess.AddressOf(_launches[index].Port);

    /// <summary>Starts Redis, <paramref name="nodeCount"/> nodes (in parallel) and the balancer, and waits until the
    /// balancer sends to every node.</summary>
    /// <param name="nodeCount">How many chat servers.</param>
    /// <param name="settings">Further settings of every node (<c>--Chat:Key=value</c>).</param>
    public static async Task<ChatCluster> StartAsync(int nodeCount = 3, params string[] settings)
    {
        Balancer.SkipUnlessInstalled();
        var redis = await RedisServer.StartAsync();
        var directory = Directory.CreateTempSubdirectory("chat-cluster-").FullName;
        // Taken before the nodes start: they must allow the origin of the pages the balancer serves.
        var balancerPort = ServerProcess.FreePort();
        var launches = Enumerable.Range(0, nodeCount)
            .Select(i => NodeLaunch(i, ServerProcess.FreePort(), directory, redis, balancerPort, settings))
            .ToArray();
        var cluster = new ChatCluster(directory, redis, launches);
        try
        {
            await Task.WhenAll(Enumerable.Range(0, nodeCount).Select(cluster.StartNodeAsync));
            cluster._balancer = await Balancer.StartAsync(directory, balancerPort, launches.Select(static l => l.Port).ToArray());
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    /// <summary>Kills the node at <paramref name="index"/> with SIGKILL (no shutdown code runs, its sockets drop).</summary>
    public async Task KillNodeAsync(int index)
    {
        await Node(index).KillAsync();
        await Node(index).DisposeAsync();
        _nodes[index] = null;
    }

    /// <summary>Starts the node at <paramref name="index"/> again on its port and folder, and waits until the balancer
    /// sends to it again.</summary>
    public async Task RestartNodeAsync(int index)
    {
        if (_nodes[index] is not null)
        {
            throw new InvalidOperationException($"Node {index + 1} is still running: kill it first.");
        }
        await StartNodeAsync(index);
        await Balancer.WaitForStateAsync(index, "UP");
    }

    /// <summary>Gets what every node wrote, each under its name, for a failure message.</summary>
    public string Diagnostics() => string.Join("\n", _nodes.Select(static (node, i) => $"--- {Balancer.NodeName(i)} ---\n{node?.Output ?? "(not running)"}"))
        + $"\n--- haproxy ---\n{_balancer?.Output}";

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_balancer is not null)
            {
                await _balancer.DisposeAsync();
            }
            foreach (var node in _nodes)
            {
                if (node is not null)
                {
                    await node.DisposeAsync();
                }
            }
            await Redis.DisposeAsync();
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private async Task StartNodeAsync(int index) => _nodes[index] = await ServerProcess.StartAsync(_launches[index]);

    // What run-cluster.sh gives a node (Chat__Redis, Chat__Store__Kind=Redis, a folder of its own), in the profile that
    // serves the client from the build output, with that profile's demo options off.
    private static ServerLaunch NodeLaunch(int index, int port, string directory, RedisServer redis, int balancerPort, string[] settings)
    {
        var folder = Directory.CreateDirectory(Path.Combine(directory, Balancer.NodeName(index))).FullName;
        var balancerOrigin = ServerProcess.AddressOf(balancerPort).GetLeftPart(UriPartial.Authority);
        return new ServerLaunch(port, Path.Combine(folder, "chat.db"))
        {
            EnvironmentName = "Development",
            StoreKind = null,
            Variables = new Dictionary<string, string>
            {
                ["Chat__Redis"] = redis.EndPoint,
                ["Chat__Store__Kind"] = "Redis",
            },
            Settings =
            [
                "--Chat:Demo:Latency=00:00:00",
                "--Chat:Demo:FailEveryNth=0",
                // appsettings.Development.json lists three origins; ServerProcess sets the first to the tests' own.
                $"--Chat:AllowedOrigins:1={balancerOrigin}",
                $"--Chat:AllowedOrigins:2={balancerOrigin}",
                // The connection-opened and -closed lines say which node holds a user's socket (ConnectionLog).
                "--Logging:LogLevel:ChatServer.Chat.ChatRoom=Information",
                .. settings,
            ],
        };
    }
}
