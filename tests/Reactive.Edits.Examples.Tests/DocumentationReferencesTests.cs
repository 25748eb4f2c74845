using System.Text.RegularExpressions;

namespace Reactive.Edits.Examples.Tests;

// The docs name files and tests as evidence ("where", "test" columns). A file moved or a test renamed would leave a
// sentence that is no longer true: each name must still lead to something.
public sealed partial class DocumentationReferencesTests
{
    private static readonly string[] Documents =
    [
        "README.md",
        .. Directory.GetFiles(Path.Combine(Repository.Root, "docs"), "*.md").Select(static path => Path.GetRelativePath(Repository.Root, path)),
        .. Directory.GetFiles(Path.Combine(Repository.Root, "samples"), "README.md", SearchOption.AllDirectories).Select(static path => Path.GetRelativePath(Repository.Root, path)),
        .. Directory.GetFiles(Path.Combine(Repository.Root, "src"), "PACKAGE.md", SearchOption.AllDirectories).Select(static path => Path.GetRelativePath(Repository.Root, path)),
    ];

    private static readonly Lazy<string> TestSources = new(static () => string.Join('\n',
        Directory.GetFiles(Path.Combine(Repository.Root, "tests"), "*.cs", SearchOption.AllDirectories)
            .Where(static path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText)));

    // A server finds the chat's page (wwwroot) under its content root, the folder it was started in: a command that starts
    // the chat from another folder serves 404 at /. Every command of the docs that runs ChatServer.dll runs it from its
    // own folder (`dotnet ChatServer.dll`) or names the content root (`--contentRoot`).
    [Fact]
    public void ChatServerCommands_InTheDocs_StartItFromItsFolder()
    {
        var elsewhere = Documents.SelectMany(static document => MarkdownCode.FencedLines(Repository.Read(document))
            .Where(static line => line.Contains("ChatServer.dll", StringComparison.Ordinal)
                && !line.Contains("dotnet ChatServer.dll", StringComparison.Ordinal)
                && !line.Contains("--contentRoot", StringComparison.Ordinal))
            .Select(line => $"{document}: {line.Trim()}"));

        string.Join(Environment.NewLine, elsewhere).Should().BeEmpty("a chat started outside its folder does not find its page");
    }

    [Fact]
    public void RepositoryPaths_NamedInTheDocs_Exist()
    {
        var missing = References(RepositoryPath())
            .Where(static reference => !File.Exists(Path.Combine(Repository.Root, reference.Name)) && !Directory.Exists(Path.Combine(Repository.Root, reference.Name)));

        string.Join(Environment.NewLine, missing.Select(static reference => $"{reference.Document}: {reference.Name}")).Should().BeEmpty("every path the docs name is a file or folder of the repository");
    }

    [Fact]
    public void ChatServerFiles_NamedInTheDocs_Exist()
    {
        // The chat's docs name its files from the project's folder: `Chat/ChatRoom.cs`.
        var missing = References(ChatServerPath())
            .Where(static reference => !File.Exists(Path.Combine(Repository.Root, "samples/ChatServer", reference.Name)));

        string.Join(Environment.NewLine, missing.Select(static reference => $"{reference.Document}: {reference.Name}")).Should().BeEmpty("every chat file the docs name is in samples/ChatServer");
    }

    [Fact]
    public void Tests_NamedInTheDocs_Exist()
    {
        var missing = References(TestName()).Where(static reference =>
        {
            var dot = reference.Name.LastIndexOf('.');
            var type = reference.Name[..dot];
            type = type[(type.LastIndexOf('.') + 1)..];
            var method = reference.Name[(dot + 1)..];
            return !Regex.IsMatch(TestSources.Value, $@"\bclass {type}\b") || !Regex.IsMatch(TestSources.Value, $@"\b(Task|void) {method}\(");
        });

        string.Join(Environment.NewLine, missing.Select(static reference => $"{reference.Document}: {reference.Name}")).Should().BeEmpty("every test the docs cite as evidence exists, under the name they give");
    }

    private static IEnumerable<Reference> References(Regex pattern) =>
        Documents.SelectMany(document => pattern.Matches(Repository.Read(document)).Select(match => new Reference(document, match.Groups[1].Value))).Distinct();

    [GeneratedRegex(@"`((?:src|samples|tests|benchmarks|docs|\.ci)/[^`\s*<>]+?)/?`")]
    private static partial Regex RepositoryPath();

    [GeneratedRegex(@"`((?:Chat|Storage|Auth|Presence)/[A-Za-z0-9_]+\.cs)`")]
    private static partial Regex ChatServerPath();

    [GeneratedRegex(@"`((?:[A-Za-z]+\.)?[A-Za-z0-9]+Tests\.[A-Za-z0-9_]+)`")]
    private static partial Regex TestName();

    private sealed record Reference(string Document, string Name);
}
