namespace ChatServer.Chat;

/// <summary>The chat's settings, bound from the <c>Chat</c> configuration section.</summary>
public sealed class ChatOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Chat";

    /// <summary>Gets or sets the origins of the pages allowed to open the WebSocket (checked on the upgrade, <c>403</c>
    /// otherwise); when empty, only the site's own origin (the request's scheme and host). An upgrade without an
    /// <c>Origin</c> header is refused (<c>403</c>) either way.</summary>
    /// <value>Empty: the site's own origin. <c>appsettings.Development.json</c> lists the local URLs of
    /// <c>dotnet run</c>. Set the whole list in one place: configuration sources merge arrays by index.</value>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>Gets or sets the largest WebSocket message accepted, in bytes, counted while its fragments arrive;
    /// a larger one closes the connection with 1009 (message too big).</summary>
    /// <value>65,536 (64 KiB).</value>
    public int MaxFrameSize { get; set; } = 64 * 1024;

    /// <summary>Gets or sets how many sockets one logged-in user may have open at once (tabs, devices); one more is
    /// accepted and at once closed with 1008 (policy violation). Anonymous readers are not counted per user.</summary>
    /// <value>10.</value>
    public int MaxConnectionsPerUser { get; set; } = 10;

    /// <summary>Gets or sets how long a client may take to send a request's headers, the upgrade's included: counted
    /// from its first byte (Kestrel's <c>RequestHeadersTimeout</c>; a client that stalls mid-request is answered 408 and
    /// disconnected), and how long a connection may stay silent before its first request or between requests
    /// (Kestrel's <c>KeepAliveTimeout</c>, 130 s by default: a connection that never sends a byte was held that long).</summary>
    /// <value>10 seconds.</value>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the most TCP connections the server holds at once, open WebSockets included; one more is
    /// closed as soon as it is accepted, without an answer (<see cref="TcpConnectionLimiter"/>).</summary>
    /// <value><see langword="null"/>: half the process's limit of open file descriptors (on Linux, the soft
    /// <c>RLIMIT_NOFILE</c>, e.g. 512 of 1,024), so that connections never take the descriptors the server needs for its
    /// database, its files and one more descriptor per connection (a static file being sent); no limit where the
    /// descriptor limit cannot be read.</value>
    public int? MaxConnections { get; set; }

    /// <summary>Gets or sets the most TCP connections one client address may hold at once; one more is closed as soon as
    /// it is accepted, without an answer. 0 turns the limit off (behind a reverse proxy every connection comes from the
    /// proxy: limit per client there).</summary>
    /// <value>100.</value>
    public int MaxConnectionsPerAddress { get; set; } = 100;

    /// <summary>Gets or sets how many bad frames one connection may send — malformed or unknown messages, answers,
    /// edits while anonymous, all of which a conforming client never sends — each answered with an error; the next one
    /// closes the connection with 1008 (policy violation).</summary>
    /// <value>20.</value>
    public int MaxBadFrames { get; set; } = 20;

    /// <summary>Gets or sets the longest message accepted, in characters.</summary>
    /// <value>500.</value>
    public int MaxMessageLength { get; set; } = 500;

    /// <summary>Gets or sets how many recent messages a new connection receives.</summary>
    /// <value>100.</value>
    public int HistorySize { get; set; } = 100;

    /// <summary>Gets or sets how many sends a user may make per <see cref="RateLimitWindow"/>.</summary>
    /// <value>20.</value>
    public int RateLimitCount { get; set; } = 20;

    /// <summary>Gets or sets the window of the per-user rate limit.</summary>
    /// <value>10 seconds.</value>
    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how many sends one client address may make per <see cref="RateLimitWindow"/>, whatever
    /// names it logs in under, so that more names from one address do not multiply the per-user budget. 0 turns the
    /// limit off (behind a reverse proxy every connection comes from the proxy: limit per client there).</summary>
    /// <value>60 (three users' worth at the default <see cref="RateLimitCount"/>: a household or office behind one address).</value>
    public int AddressRateLimitCount { get; set; } = 60;

    /// <summary>Gets or sets how many logins (<c>POST /auth</c>) one client address may make per
    /// <see cref="LoginRateLimitWindow"/>; one more is answered 429 with <c>Retry-After</c>. 0 turns the limit off
    /// (behind a reverse proxy every request comes from the proxy: limit per client there).</summary>
    /// <value>10.</value>
    public int LoginRateLimitCount { get; set; } = 10;

    /// <summary>Gets or sets the window of the per-address login limit.</summary>
    /// <value>1 minute.</value>
    public TimeSpan LoginRateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets how long a session may stay unused before it ends: the cookie's lifetime, renewed (sliding)
    /// by use, and the idle time after which the server's session store drops it.</summary>
    /// <value>1 day.</value>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Gets or sets the most sessions the server keeps; a login past it ends the least recently used one, so
    /// the store stays bounded however many logins it sees.</summary>
    /// <value>10,000.</value>
    public int MaxSessions { get; set; } = 10_000;

    /// <summary>Gets or sets how long a closed connection still counts as present, so that a quick reconnect does
    /// not show leave then join to the others.</summary>
    /// <value>3 seconds.</value>
    public TimeSpan PresenceGrace { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Gets or sets how often the server pings an idle WebSocket.</summary>
    /// <value>15 seconds.</value>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Gets or sets how long a ping may stay unanswered before the connection is aborted (an abrupt
    /// disconnect: the user leaves presence).</summary>
    /// <value>15 seconds.</value>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Gets or sets how long the close handshake may take before the socket is aborted.</summary>
    /// <value>5 seconds.</value>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the least time between the beginnings of two groups of sends being stored and broadcast.
    /// The sends that arrive in between wait and go together: one transaction, one disk flush, and one
    /// <c>messages</c> frame to each connection instead of a frame per message, which is what a broadcast costs. A send
    /// that finds nothing stored within this time goes at once, so a quiet room adds no delay; a busy one adds at
    /// most this much. Zero groups only the sends that arrive while another group is being stored. A connection runs one
    /// send at a time, so one connection sends at most one message per window (20 a second at 50 ms).</summary>
    /// <value>50 milliseconds, well below what a reader notices (docs/benchmarks.md gives what it saves).</value>
    public TimeSpan SendBatchWindow { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Gets or sets a value indicating whether Kestrel's socket transport runs a socket's write on the thread
    /// that flushed it, and the chat's read of a frame on the thread that received it, instead of handing each to one of
    /// its I/O queues. The 4 KiB pool block that holds a frame then goes back to the pool as soon as the socket has taken
    /// the frame; without it, the frame waits in the connection's pipe for the queue, so a broadcast to N idle
    /// connections can hold up to N blocks at once, and the pool keeps the blocks it grew to. Kestrel calls this setting
    /// unsafe because the application's code then runs on the threads that complete the socket's I/O. Those are the
    /// thread pool's, as without the setting, unless <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c> is set; the
    /// chat does not set it. The price is CPU: a queue that runs late sends the frames that piled up for a socket in
    /// one system call, and inline sends never pile up, so a busy room makes more send calls. Turn it off where CPU per
    /// message counts for more than memory per connection.</summary>
    /// <value>True: about 4 KiB less per idle connection, for 6–28 % fewer deliveries per CPU-second at 35 to 150
    /// messages a second to 1,000 clients (docs/benchmarks.md, "Inline socket scheduling").</value>
    public bool InlineSocketScheduling { get; set; } = true;

    /// <summary>Gets or sets the most messages waiting to be sent to one connection; a client that reads slower is
    /// closed with 1008 rather than allowed to grow the server's memory.</summary>
    /// <value>1,024.</value>
    public int OutboxCapacity { get; set; } = 1024;

    /// <summary>Gets or sets the most bytes waiting to be sent to one connection; past it, as past
    /// <see cref="OutboxCapacity"/>, the client is closed with 1008.</summary>
    /// <value>4,194,304 (4 MiB).</value>
    public long OutboxByteCapacity { get; set; } = 4L * 1024 * 1024;

    /// <summary>Gets or sets where messages and the ledger of edit ids are kept (section <c>Chat:Store</c>).</summary>
    /// <value>SQLite in <c>chat.db</c> under the content root.</value>
    public Storage.StoreOptions Store { get; set; } = new();

    /// <summary>Gets or sets the Redis connection string (StackExchange.Redis syntax, e.g. <c>127.0.0.1:6379</c>) through
    /// which several nodes share what is not a message: the Data Protection keys that sign the cookie, the sessions,
    /// presence, and the per-user send rate and connection limits. Messages are shared too when <see cref="Store"/> is
    /// <see cref="Storage.StoreKind.Redis"/>; else each node keeps its own.</summary>
    /// <value>Empty: one node, nothing shared.</value>
    public string Redis { get; set; } = "";

    /// <summary>Gets or sets how often a node tells Redis it is alive: it rewrites its presence (its connections per
    /// user) and renews its connection leases. Used only with <see cref="Redis"/>.</summary>
    /// <value>5 seconds.</value>
    public TimeSpan NodeHeartbeat { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how long a node's presence and connection leases last in Redis without a heartbeat: a node
    /// that dies without a word drops out of every other node's presence, and its connections stop counting against
    /// the per-user limit, within this time. Must exceed <see cref="NodeHeartbeat"/>. Used only with <see cref="Redis"/>.</summary>
    /// <value>15 seconds.</value>
    public TimeSpan NodeTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Gets or sets the demonstration options.</summary>
    /// <value>Off.</value>
    public DemoOptions Demo { get; set; } = new();
}
