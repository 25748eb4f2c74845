using System.Reflection;
using Reactive.Edits.Diagnostics;

namespace Reactive.Edits.Examples.Tests;

// README.md and the package readmes cannot drift from code that runs: each of their C# blocks must appear, modulo
// indentation, in one of the example files, where it is compiled, run and its output asserted. (PastedCodeTests
// compiles each block on its own, as pasted.)
public sealed class ReadmeTests
{
    private static readonly string[] ExamplePaths =
    [
        "tests/Reactive.Edits.Examples.Tests/ReadmeExamples.cs",
        "tests/Reactive.Edits.Examples.Tests/ChatInputTests.cs",
    ];

    private static readonly string[] Examples = [.. ExamplePaths.Select(Repository.Read)];

    // The Remote package's readme has no C# block yet; PastedCodeTests covers it when it gets one.
    public static TheoryData<string> Documents => new() { "README.md", "src/Reactive.Edits/PACKAGE.md", "src/Reactive.Edits.Testing/PACKAGE.md" };

    [Theory]
    [MemberData(nameof(Documents))]
    public void CSharpBlocks_EachOne_AppearsVerbatimInTheExamples(string document)
    {
        var blocks = MarkdownCode.CSharpBlocks(Repository.Read(document));

        blocks.Should().NotBeEmpty();
        blocks.Where(block => !Array.Exists(Examples, source => MarkdownCode.AppearsIn(block, source))).Select(static block => block.ToString()).Should().BeEmpty(
            "every C# block of {0} must be copied verbatim into one of {1}, where it is compiled and run", document, string.Join(", ", ExamplePaths));
    }

    [Theory]
    [InlineData("30-second example")]
    [InlineData("The edit lifecycle")]
    [InlineData("Concurrency policies")]
    [InlineData("Committing")]
    [InlineData("Threading")]
    [InlineData("Busy and counts")]
    [InlineData("Lifecycle events")]
    [InlineData("Metrics")]
    [InlineData("Optimistic view")]
    [InlineData("Surviving a restart")]
    [InlineData("A real client and server")]
    [InlineData("Coming from DynamicData")]
    [InlineData("Testing your edits")]
    public void Readme_DocumentedSection_HasACompiledExample(string heading)
    {
        var section = Section(Repository.Read("README.md"), heading);

        MarkdownCode.CSharpBlocks(section).Should().NotBeEmpty();
    }

    [Fact]
    public void PackageReadme_Example_IsTheReadmeQuickStart()
    {
        var quickStart = MarkdownCode.CSharpBlocks(Section(Repository.Read("README.md"), "30-second example")).Single();
        var package = MarkdownCode.CSharpBlocks(Repository.Read("src/Reactive.Edits/PACKAGE.md")).Single();

        package.Lines.Should().Equal(quickStart.Lines);
    }

    [Fact]
    public void TestingPackageReadme_Example_IsTheReadmeTestClass()
    {
        var readme = MarkdownCode.CSharpBlocks(Section(Repository.Read("README.md"), "Testing your edits")).Single();
        var package = MarkdownCode.CSharpBlocks(Repository.Read("src/Reactive.Edits.Testing/PACKAGE.md")).Single();

        package.Lines.Should().Equal(readme.Lines);
    }

    [Fact]
    public void Readme_MetricsTable_NamesEveryInstrumentAndTag()
    {
        var metrics = Section(Repository.Read("README.md"), "Metrics");
        var names = typeof(EditDiagnostics)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(static field => field.IsLiteral)
            .Select(static field => (string)field.GetRawConstantValue()!)
            .ToList();

        names.Should().Contain(EditDiagnostics.SettleTime);
        names.Where(name => !metrics.Contains($"`{name}`", StringComparison.Ordinal)).Should().BeEmpty();
    }

    [Theory]
    [InlineData("## Optimistic view")]
    [InlineData("## Remote edits")]
    [InlineData("## Setup")]
    [InlineData("## Reference the package from a local folder")]
    public void Readme_StableHeading_IsPresent(string heading)
    {
        var lines = Repository.Read("README.md").ReplaceLineEndings("\n").Split('\n');

        lines.Should().ContainSingle(line => line == heading);
    }

    [Fact]
    public void AppearsIn_ReindentedBlock_IsFound()
    {
        var block = new CodeBlock(1, ["using System;", "", "if (ready)", "{", "Go();", "}"]);
        var source = "using System;\n\nclass C\n{\n    void M()\n    {\n        if (ready)\n        {\n            Go();\n        }\n    }\n}\n";

        MarkdownCode.AppearsIn(block, source).Should().BeTrue();
    }

    [Theory]
    [InlineData("Stop();")]
    [InlineData("if (ready) Go();")]
    public void AppearsIn_ChangedLine_IsNotFound(string changed)
    {
        var block = new CodeBlock(1, ["if (ready)", "{", changed, "}"]);
        var source = "void M()\n{\n    if (ready)\n    {\n        Go();\n    }\n}\n";

        MarkdownCode.AppearsIn(block, source).Should().BeFalse();
    }

    [Fact]
    public void AppearsIn_UsingDirectiveMissingFromTheSource_IsNotFound()
    {
        var block = new CodeBlock(1, ["using System.Reactive.Linq;", "", "Go();"]);

        MarkdownCode.AppearsIn(block, "using System;\n\nGo();\n").Should().BeFalse();
    }

    [Fact]
    public void AppearsIn_StatementsThenATypeDeclaration_FindsEachPartApart()
    {
        var block = new CodeBlock(1, ["using System;", "", "Go(new Point(1, 2));", "", "record Point(int X, int Y);"]);
        var source = "using System;\n\nclass C\n{\n    void M()\n    {\n        Go(new Point(1, 2));\n    }\n}\n\nrecord Point(int X, int Y);\n";

        MarkdownCode.AppearsIn(block, source).Should().BeTrue();
    }

    [Fact]
    public void AppearsIn_TypeDeclarationMissingFromTheSource_IsNotFound()
    {
        var block = new CodeBlock(1, ["Go(new Point(1, 2));", "", "record Point(int X, int Y);"]);
        var source = "class C\n{\n    void M()\n    {\n        Go(new Point(1, 2));\n    }\n}\n\nrecord Point(int X, int Y, int Z);\n";

        MarkdownCode.AppearsIn(block, source).Should().BeFalse();
    }

    [Fact]
    public void AppearsIn_UsingStatementOfTheBody_IsMatchedInTheBody()
    {
        var block = new CodeBlock(1, ["using Reactive.Edits;", "", "using var edits = new EditSet<string>();"]);

        MarkdownCode.AppearsIn(block, "using Reactive.Edits;\n\nvoid M()\n{\n    using var edits = new EditSet<string>();\n}\n").Should().BeTrue();
        MarkdownCode.AppearsIn(block, "using Reactive.Edits;\n\nvoid M()\n{\n    var edits = new EditSet<string>();\n}\n").Should().BeFalse();
    }

    [Fact]
    public void AppearsIn_LinesSplitAcrossTheSource_IsNotFound()
    {
        var block = new CodeBlock(1, ["First();", "Second();"]);

        MarkdownCode.AppearsIn(block, "First();\nBetween();\nSecond();\n").Should().BeFalse();
    }

    [Fact]
    public void CSharpBlocks_Markdown_ReturnsOnlyCSharpFencesWithTheirLines()
    {
        var markdown = "# T\n\n```\ndotnet test\n```\n\n```csharp\nvar x = 1;\n```\n\n```text\nout\n```\n";

        var blocks = MarkdownCode.CSharpBlocks(markdown);

        blocks.Should().ContainSingle();
        blocks[0].Line.Should().Be(8);
        blocks[0].Lines.Should().Equal("var x = 1;");
    }

    [Fact]
    public void CSharpBlocks_UnclosedFence_Throws()
    {
        var act = () => MarkdownCode.CSharpBlocks("```csharp\nvar x = 1;\n");

        act.Should().Throw<FormatException>();
    }

    // The text from a "## heading" line to the next "## " heading.
    private static string Section(string markdown, string heading)
    {
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var start = Array.IndexOf(lines, "## " + heading);
        start.Should().BeGreaterThanOrEqualTo(0, "README.md has a section \"## {0}\"", heading);
        var end = Array.FindIndex(lines, start + 1, static line => line.StartsWith("## ", StringComparison.Ordinal));
        return string.Join('\n', lines[start..(end < 0 ? lines.Length : end)]);
    }
}
