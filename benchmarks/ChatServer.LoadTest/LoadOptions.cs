using System.Globalization;

namespace ChatServer.LoadTest;

/// <summary>The command line: <c>--name value</c> pairs and flags. <c>--help</c> prints them.</summary>
public sealed class LoadOptions
{
    public string Target { get; private set; } = "all";
    public string? Url { get; private set; }
    public int Clients { get; private set; } = 1000;
    public int Senders { get; private set; } = 10;
    public double Rate { get; private set; } = 50;
    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(20);
    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(3);
    public TimeSpan Drain { get; private set; } = TimeSpan.FromSeconds(15);
    public bool Stepped { get; private set; }
    public IReadOnlyList<double> Steps { get; private set; } = [25, 50, 100, 200, 400, 800, 1600];
    public TimeSpan StepDuration { get; private set; } = TimeSpan.FromSeconds(10);
    public double P99LimitMilliseconds { get; private set; } = 100;
    public bool Density { get; private set; }
    public IReadOnlyList<int> DensityCounts { get; private set; } = [1000, 5000, 10000];
    public TimeSpan DensityHold { get; private set; } = TimeSpan.Zero;
    public bool DensityLiveHeap { get; private set; }
    public bool Smoke { get; private set; }
    public bool Soak { get; private set; }
    public bool BadFrameAttack { get; private set; }
    public TimeSpan AttackDuration { get; private set; } = TimeSpan.FromSeconds(20);
    public bool Pin { get; private set; } = true;
    public int Runs { get; private set; } = 3;
    public bool CoalesceFloor { get; private set; }

    public TimeSpan FloorBatchWindow { get; private set; }
    public bool InlineSockets { get; private set; }
    public string? Chart { get; private set; }
    public bool Cluster { get; private set; }
    public int Nodes { get; private set; } = 3;
    public TimeSpan Outage { get; private set; } = TimeSpan.FromSeconds(3);
    public bool ClusterSqlite { get; private set; } = true;

    public const string Usage = """
        ChatServer.LoadTest: open-loop load on the chat sample's WebSocket server, a SignalR baseline and a broadcast floor.
          --target chat|signalr|floor|both|all
                                       servers to drive (default all three; both = chat and signalr; each its own process)
          --url http://host:port       drive a running chat server instead of starting one (target chat only)
          --clients N                  connections (default 1000; senders are among them)
          --senders S                  connections that send, logged in, with edits and acks (default 10)
          --rate R                     offered messages per second over all senders (default 50)
          --duration SECONDS           measured time of the fixed-rate run (default 20)
          --stepped                    also step the rate (--steps 25,50,…, --step-duration 10) to find the capacity
          --density                    memory per idle connection (--density-counts 1000,5000,10000), each count
                                       connected after a warm batch of 64
          --density-hold SECONDS       keep each count's connections open this long after RSS is read, e.g. for
                                       dotnet-gcdump on the server (its process id is printed)
          --density-live-heap          also the managed heap's live bytes per connection: a full GC induced in the
                                       server (EventPipe) after each RSS reading, which changes the RSS read after it
          --runs N                     whole runs of every target, interleaved; figures are medians with min–max (default 3)
          --coalesce-floor             the floor writes every frame waiting for a socket, then flushes once (default off)
          --floor-batch-window MS      the floor broadcasts what arrives within MS of its last broadcast's beginning
                                       together, in one frame, as the chat does with Chat:SendBatchWindow (default 0: off)
          --inline-sockets             the floor and SignalR run Kestrel's socket transport with inline scheduling, as the
                                       chat does with Chat:InlineSocketScheduling (default off)
          --smoke                      CI check: 200 clients, 5 s, 50 msg/s, one run of each target (or --target);
                                       exit 1 on any broken invariant
          --soak                       200 clients joining and leaving for 60 s; exit 1 if the server keeps growing
          --bad-frame-attack           the chat with its default settings, 2 sockets that never read sending 65 KB bad frames
                                       (reconnecting when closed); prints the server's RSS at rest, at its peak and after
          --attack-duration SECONDS    how long the bad-frame attack runs (20)
          --no-pin                     do not pin the server to core 0 and this process to core 1
          --chart FILE.png             latency against offered load (needs --stepped)
          --cluster                    the chat on --nodes N (3) nodes over its own redis-server (append-only file, fsync
                                       always), clients round-robin over the nodes: send → seen by all readers on every
                                       node, against one node on Redis and one on SQLite at the same rate and clients;
                                       then Redis killed and restarted (--outage SECONDS, 3) and a node killed under load,
                                       counting lost and duplicated messages in the log Redis holds. Unpinned; defaults
                                       300 clients, 6 senders, 20 msg/s, 20 s; exit 1 on any loss or duplicate
          --no-sqlite                  (--cluster) leave out the one-node SQLite run
        """;

    public static LoadOptions Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new LoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            switch (name)
            {
                case "--target": options.Target = Value() switch
                {
                    "chat" => "chat",
                    "signalr" => "signalr",
                    "floor" => "floor",
                    "both" => "both",
                    "all" => "all",
                    _ => throw new ArgumentException("--target is chat, signalr, floor, both or all."),
                }; break;
                case "--url": options.Url = Value(); break;
                case "--clients": options.Clients = PositiveInt(name, Value()); break;
                case "--senders": options.Senders = PositiveInt(name, Value()); break;
                case "--rate": options.Rate = PositiveDouble(name, Value()); break;
                case "--duration": options.Duration = TimeSpan.FromSeconds(PositiveDouble(name, Value())); break;
                case "--warmup": options.Warmup = TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture)); break;
                case "--drain": options.Drain = TimeSpan.FromSeconds(PositiveDouble(name, Value())); break;
                case "--stepped": options.Stepped = true; break;
                case "--steps": options.Steps = [.. Value().Split(',').Select(step => PositiveDouble(name, step))]; break;
                case "--step-duration": options.StepDuration = TimeSpan.FromSeconds(PositiveDouble(name, Value())); break;
                case "--p99-limit": options.P99LimitMilliseconds = PositiveDouble(name, Value()); break;
                case "--density": options.Density = true; break;
                case "--density-hold": options.DensityHold = TimeSpan.FromSeconds(PositiveDouble(name, Value())); break;
                case "--density-live-heap": options.DensityLiveHeap = true; break;
                case "--density-counts": options.DensityCounts = [.. Value().Split(',').Select(count => PositiveInt(name, count))]; break;
                case "--smoke": options.Smoke = true; break;
                case "--soak": options.Soak = true; break;
                case "--bad-frame-attack": options.BadFrameAttack = true; break;
                case "--attack-duration": options.AttackDuration = TimeSpan.FromSeconds(PositiveDouble(name, Value())); break;
                case "--no-pin": options.Pin = false; break;
                case "--runs": options.Runs = PositiveInt(name, Value()); break;
                case "--coalesce-floor": options.CoalesceFloor = true; break;
                case "--inline-sockets": options.InlineSockets = true; break;
                case "--floor-batch-window": options.FloorBatchWindow = TimeSpan.FromMilliseconds(PositiveDouble(name, Value())); break;
                case "--chart": options.Chart = Value(); break;
                case "--cluster": options.Cluster = true; break;
                case "--nodes": options.Nodes = PositiveInt(name, Value()); break;
                case "--outage": options.Outage = TimeSpan.FromSeconds(PositiveDouble(name, Value())); break;
                case "--no-sqlite": options.ClusterSqlite = false; break;
                default: throw new ArgumentException($"Unknown option '{name}'.");
            }
        }
        if (options.Smoke)
        {
            // The CI smoke: small, short, one run; its checks are invariants, never times.
            options.Runs = 1;
            options.Clients = Math.Min(options.Clients, 200);
            options.Senders = Math.Min(options.Senders, 5);
            options.Rate = 50;
            options.Duration = TimeSpan.FromSeconds(5);
            options.Warmup = TimeSpan.Zero;
        }
        if (options.Cluster)
        {
            // Three nodes, Redis and the generator share this machine's cores: nothing is pinned, and the defaults
            // are modest (each given option still wins).
            options.Pin = false;
            options.Clients = args.Contains("--clients") ? options.Clients : 300;
            options.Senders = args.Contains("--senders") ? options.Senders : 6;
            options.Rate = args.Contains("--rate") ? options.Rate : 20;
            if (options.Url is not null)
            {
                throw new ArgumentException("--cluster starts its own nodes and Redis: it takes no --url.");
            }
        }
        if (options.Senders > options.Clients)
        {
            throw new ArgumentException("--senders cannot exceed --clients (senders are among the clients).");
        }
        if (options.Url is not null && options.Target == "all" && !args.Contains("--target"))
        {
            // A running server is one chat server: --url alone means the chat.
            options.Target = "chat";
        }
        if (options.Url is not null && options.Target != "chat")
        {
            throw new ArgumentException("--url drives one running chat server: use --target chat with it.");
        }
        return options;
    }

    private static int PositiveInt(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{name} needs a positive whole number, not '{text}'.");

    private static double PositiveDouble(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{name} needs a positive number, not '{text}'.");
}
