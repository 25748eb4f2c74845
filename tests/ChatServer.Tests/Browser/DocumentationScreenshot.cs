using ChatServer.Tests.Support;

namespace ChatServer.Tests.Browser;

/// <summary>Says where a browser test writes a screenshot that the documentation shows.</summary>
/// <remarks>
/// A test run must leave the working tree as it found it, so a screenshot goes to a temporary folder unless the run is
/// asked to refresh the documentation's images: <c>UPDATE_DOC_IMAGES=1 dotnet test</c> writes it to docs/images.
/// </remarks>
public static class DocumentationScreenshot
{
    public const string UpdateVariable = "UPDATE_DOC_IMAGES";

    /// <summary>Returns the path to write the screenshot <paramref name="fileName"/> to, for this run.</summary>
    public static string PathFor(string fileName) =>
        PathFor(fileName, Environment.GetEnvironmentVariable(UpdateVariable), Repository.Root, Path.GetTempPath());

    /// <summary>Returns docs/images/<paramref name="fileName"/> under <paramref name="repositoryRoot"/> when <paramref name="update"/> is "1", else a path under <paramref name="temporaryFolder"/>.</summary>
    public static string PathFor(string fileName, string? update, string repositoryRoot, string temporaryFolder) =>
        update == "1"
            ? Path.Combine(repositoryRoot, "docs", "images", fileName)
            : Path.Combine(temporaryFolder, "reactive-edits-doc-images", fileName);
}
