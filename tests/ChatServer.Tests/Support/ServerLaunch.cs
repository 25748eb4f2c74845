namespace ChatServer.Tests.Support;

/// <summary>How <see cref="ServerProcess"/> starts the built chat server: its address, its store, its profile and any
/// further settings.</summary>
/// <param name="Port">The loopback port it listens on.</param>
/// <param name="StorePath">The SQLite store's path (<c>Chat:Store:Path</c>).</param>
public sealed record ServerLaunch(int Port, string StorePath)
{
    /// <summary>Gets the limit of open file descriptors (<c>ulimit -n</c>), or <see langword="null"/> for the inherited one.</summary>
    public int? DescriptorLimit { get; init; }

    /// <summary>Gets the host's environment name. <c>Production</c> by default; the build output serves the Blazor
    /// client only in <c>Development</c> (a published app serves it in every profile).</summary>
    public string EnvironmentName { get; init; } = "Production";

    /// <summary>Gets the <c>Chat:Store:Kind</c> given on the command line, or <see langword="null"/> to leave it to
    /// <see cref="Variables"/> or the configuration files (a command-line setting would override a variable).</summary>
    public string? StoreKind { get; init; } = "Sqlite";

    /// <summary>Gets environment variables of the process (e.g. <c>Chat__Redis</c>), as an operator would set them.</summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets further command-line settings (<c>--Section:Key=value</c>), applied last.</summary>
    public IReadOnlyList<string> Settings { get; init; } = [];
}
