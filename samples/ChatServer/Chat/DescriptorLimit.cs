namespace ChatServer.Chat;

/// <summary>Reads how many file descriptors the process may open, to keep connections from taking all of them.</summary>
/// <remarks>Every TCP connection is a descriptor. When they run out, the server can no longer accept, open its
/// database or send a file; with 1,024 descriptors (a common default), 1,000 idle connections made it stop accepting
/// and then exit ("Out of memory.", issue 13).</remarks>
internal static class DescriptorLimit
{
    private const string OpenFiles = "Max open files";

    /// <summary>Returns the soft limit of open files of this process (Linux: <c>/proc/self/limits</c>), or
    /// <see langword="null"/> where it cannot be read or is unlimited.</summary>
    /// <param name="limitsPath">The limits file; another one in tests.</param>
    /// <returns>The limit, or <see langword="null"/>.</returns>
    public static long? SoftLimit(string limitsPath = "/proc/self/limits")
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        try
        {
            foreach (var line in File.ReadLines(limitsPath))
            {
                if (line.StartsWith(OpenFiles, StringComparison.Ordinal))
                {
                    // "Max open files            1024                 1048576              files"
                    var fields = line[OpenFiles.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return fields.Length > 0 && long.TryParse(fields[0], out var soft) && soft > 0 ? soft : null;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }

    /// <summary>Returns the default of <see cref="ChatOptions.MaxConnections"/>: half the descriptor limit, so that each
    /// connection may hold a second descriptor (a static file being sent) and the server keeps some for itself; or
    /// <see langword="null"/> (no limit) where the limit cannot be read.</summary>
    /// <returns>The most connections, or <see langword="null"/>.</returns>
    public static long? DefaultMaxConnections() => SoftLimit() is { } limit ? Math.Max(1, limit / 2) : null;
}
