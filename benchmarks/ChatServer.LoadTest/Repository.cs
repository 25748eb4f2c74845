namespace ChatServer.LoadTest;

/// <summary>Finds the repository root (the folder with Reactive.Edits.sln), where the servers' builds are.</summary>
public static class Repository
{
    public static string Root()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Reactive.Edits.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException("Run the load test from inside the repository: Reactive.Edits.sln was not found above " + AppContext.BaseDirectory);
    }
}
