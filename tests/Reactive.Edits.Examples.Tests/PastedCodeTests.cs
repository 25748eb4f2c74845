using Microsoft.CodeAnalysis;

namespace Reactive.Edits.Examples.Tests;

// A reader copies a block of README.md or of a package readme into a new project and expects it to build: each block
// is compiled on its own, exactly as it is in the document, with only what a net10.0 console project adds (PastedCode).
public sealed class PastedCodeTests
{
    public static readonly IReadOnlyList<string> Documents =
    [
        "README.md",
        "src/Reactive.Edits/PACKAGE.md",
        "src/Reactive.Edits.Remote/PACKAGE.md",
        "src/Reactive.Edits.Testing/PACKAGE.md",
    ];

    // One row per block, named by its document and the line it starts on.
    public static TheoryData<string, int> Blocks
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (var document in Documents)
            {
                foreach (var block in MarkdownCode.CSharpBlocks(Repository.Read(document)))
                {
                    data.Add(document, block.Line);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void CSharpBlock_PastedIntoANewProject_Compiles(string document, int line)
    {
        var block = MarkdownCode.CSharpBlocks(Repository.Read(document)).Single(b => b.Line == line);

        var diagnostics = PastedCode.Compile(block, document);

        if (diagnostics.Count > 0)
        {
            var start = string.Join('\n', block.Lines.Take(4).Select(static l => "    " + l));
            Assert.Fail(
                $"The C# block on line {line} of {document} does not compile as pasted into a net10.0 console project " +
                $"(implicit usings: {string.Join(", ", PastedCode.ImplicitUsings)}). It starts:\n{start}\n" +
                string.Join('\n', diagnostics.Select(d => PastedCode.Describe(d, block, document))));
        }
    }

    [Fact]
    public void Blocks_AllDocuments_IncludeEveryReadmeBlock()
    {
        var readme = MarkdownCode.CSharpBlocks(Repository.Read("README.md"));

        Blocks.Count(row => (string)row[0] == "README.md").Should().Be(readme.Count).And.BeGreaterThan(0);
    }

    [Fact]
    public void Compile_StatementsUsingImplicitUsings_HasNoDiagnostics()
    {
        var block = new CodeBlock(1, ["var numbers = new List<int> { 1, 2 };", "Console.WriteLine(numbers.Sum());", "await Task.Yield();"]);

        PastedCode.Compile(block).Should().BeEmpty();
    }

    [Fact]
    public void Compile_LibraryTypeWithoutItsUsing_ReportsTheMissingType()
    {
        var block = new CodeBlock(10, ["using var edits = new EditSet<string>();"]);

        var diagnostics = PastedCode.Compile(block, "README.md");

        diagnostics.Select(static d => d.Id).Should().Contain("CS0246");
        PastedCode.Describe(diagnostics[0], block, "README.md").Should().StartWith("README.md(10,");
    }

    [Fact]
    public void Compile_LibraryTypeWithItsUsing_HasNoDiagnostics()
    {
        var block = new CodeBlock(1, ["using Reactive.Edits;", "", "using var edits = new EditSet<string>();", "Console.WriteLine(edits.Items.Count);"]);

        PastedCode.Compile(block).Should().BeEmpty();
    }

    [Fact]
    public void Compile_TestClassDeclaration_CompilesAsALibrary()
    {
        var block = new CodeBlock(1,
        [
            "using FluentAssertions;",
            "using Xunit;",
            "",
            "public class SumTests",
            "{",
            "    [Fact]",
            "    public void Sum_TwoNumbers_Adds() => (1 + 2).Should().Be(3);",
            "}",
        ]);

        PastedCode.Compile(block).Should().BeEmpty();
    }

    [Fact]
    public void Compile_Warning_IsReported()
    {
        var block = new CodeBlock(1, ["string? text = null;", "Console.WriteLine(text.Length);"]);

        PastedCode.Compile(block).Should().ContainSingle().Which.Severity.Should().Be(DiagnosticSeverity.Warning);
    }
}
