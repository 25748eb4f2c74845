namespace ChatServer.Tests.Support;

/// <summary>The server process ended before it served: what a start that must fail is expected to throw.</summary>
public sealed class ServerExitedException(int exitCode, string output)
    : InvalidOperationException($"The server exited with {exitCode} before serving:\n{output}")
{
    public int ExitCode { get; } = exitCode;

    /// <summary>Everything the process wrote (stdout and stderr).</summary>
    public string Output { get; } = output;
}
