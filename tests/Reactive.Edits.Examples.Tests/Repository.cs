namespace Reactive.Edits.Examples.Tests;

/// <summary>Finds files of the repository from the test's output folder.</summary>
internal static class Repository
{
    /// <summary>Gets the repository root: the nearest folder above the test assembly that holds <c>Reactive.Edits.sln</c>.</summary>
    /// <remarks>
    /// Walks up from the output folder rather than using <c>[CallerFilePath]</c>: a CI build maps source paths to
    /// <c>/_/</c> (deterministic source paths), which do not exist on disk.
    /// </remarks>
    public static string Root { get; } = FindRoot();

    /// <summary>Reads a file given by its path from the repository root.</summary>
    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(Root, relativePath));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Reactive.Edits.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Reactive.Edits.sln above {AppContext.BaseDirectory}.");
    }
}
