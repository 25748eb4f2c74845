namespace ChatServer.Shared.Protocol;

/// <summary>The first message on every connection: who the server thinks you are, and its rules.</summary>
/// <param name="ProtocolVersion">The protocol version (<see cref="ChatProtocol.Version"/>).</param>
/// <param name="User">The authenticated user name, or <see langword="null"/> for an anonymous (read-only) connection.</param>
/// <param name="Limits">The validation limits.</param>
/// <param name="Demo">The demonstration options in force.</param>
public sealed record Welcome(int ProtocolVersion, string? User, ChatLimits Limits, DemoSettings Demo);

/// <summary>The limits the server validates sends against.</summary>
/// <param name="MaxMessageLength">The longest text accepted, in characters.</param>
/// <param name="RateLimitCount">How many sends a user may make per <paramref name="RateLimitWindowSeconds"/>.</param>
/// <param name="RateLimitWindowSeconds">The rate window, in seconds.</param>
public sealed record ChatLimits(int MaxMessageLength, int RateLimitCount, double RateLimitWindowSeconds);

/// <summary>The demonstration options: artificial latency and failures, so pending, busy and retry can be seen.</summary>
/// <param name="LatencyMilliseconds">The delay added before each send is applied; 0 when off.</param>
/// <param name="FailEveryNth">Every Nth send is rejected; 0 when off.</param>
public sealed record DemoSettings(int LatencyMilliseconds, int FailEveryNth);
