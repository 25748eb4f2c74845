namespace ChatServer.Tests.Support;

/// <summary>Finds the repository root: the nearest folder above the test output that holds Reactive.Edits.sln.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Reactive.Edits.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName
            ?? throw new InvalidOperationException("The repository root (Reactive.Edits.sln) was not found above the test output.");
    }
}
