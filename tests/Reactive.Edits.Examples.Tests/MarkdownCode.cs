using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Reactive.Edits.Examples.Tests;

/// <summary>Extracts the C# blocks (and the lines of any fenced block) of a Markdown file, and finds a C# block, modulo indentation, in a C# source file.</summary>
internal static class MarkdownCode
{
    /// <summary>Returns the C# blocks (between <c>```csharp</c> fences) of <paramref name="markdown"/>, with the line each starts on.</summary>
    public static IReadOnlyList<CodeBlock> CSharpBlocks(string markdown)
    {
        var blocks = new List<CodeBlock>();
        var lines = SplitLines(markdown);
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```csharp")
            {
                continue;
            }

            var start = i + 1;
            var end = start;
            while (end < lines.Length && lines[end].Trim() != "```")
            {
                end++;
            }

            if (end == lines.Length)
            {
                throw new FormatException($"The C# block opened on line {i + 1} is never closed.");
            }

            blocks.Add(new CodeBlock(start + 1, lines[start..end]));
            i = end;
        }

        return blocks;
    }

    /// <summary>Returns the lines inside the fenced code blocks of <paramref name="markdown"/>, of any language.</summary>
    public static IEnumerable<string> FencedLines(string markdown)
    {
        var inside = false;
        foreach (var line in SplitLines(markdown))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inside = !inside;
            }
            else if (inside)
            {
                yield return line;
            }
        }
    }

    /// <summary>Checks that <paramref name="block"/> appears in <paramref name="source"/>, ignoring indentation.</summary>
    /// <remarks>
    /// A block is a complete file, and its copy in <paramref name="source"/> sits inside a test method, so its parts are
    /// checked apart: each <c>using</c> directive at the top of the block must be a directive of the source file; the
    /// top-level statements, with their comments and blank lines, must appear line by line and contiguously (in a
    /// method); and each run of type declarations after them must appear the same way elsewhere in the file.
    /// </remarks>
    public static bool AppearsIn(CodeBlock block, string source)
    {
        var sourceLines = Normalize(SplitLines(source));
        var blockText = string.Join('\n', block.Lines);
        var root = CSharpSyntaxTree.ParseText(blockText).GetCompilationUnitRoot();

        var directives = root.Usings.Select(static directive => directive.ToString().Trim()).ToList();
        if (!directives.TrueForAll(sourceLines.Contains))
        {
            return false;
        }

        return Parts(block, root).All(part => ContainsContiguously(sourceLines, part));
    }

    // The block's lines after its using directives, cut where top-level statements give way to type declarations (or
    // the reverse), with the blank lines at the edges of each part removed.
    private static IEnumerable<List<string>> Parts(CodeBlock block, CompilationUnitSyntax root)
    {
        var lines = Normalize(block.Lines);
        var text = root.SyntaxTree.GetText();
        var members = root.Members;
        var first = 0;
        while (first < members.Count)
        {
            var isStatement = members[first] is GlobalStatementSyntax;
            var last = first;
            while (last + 1 < members.Count && (members[last + 1] is GlobalStatementSyntax) == isStatement)
            {
                last++;
            }

            var startLine = text.Lines.GetLineFromPosition(members[first].FullSpan.Start).LineNumber;
            var endLine = last == members.Count - 1
                ? lines.Count - 1
                : text.Lines.GetLineFromPosition(members[last].Span.End).LineNumber;
            var part = lines.GetRange(startLine, endLine - startLine + 1);
            var trimmed = part.SkipWhile(static line => line.Length == 0).Reverse().SkipWhile(static line => line.Length == 0).Reverse().ToList();
            if (trimmed.Count > 0)
            {
                yield return trimmed;
            }

            first = last + 1;
        }
    }

    private static bool ContainsContiguously(List<string> sourceLines, List<string> part)
    {
        for (var start = 0; start + part.Count <= sourceLines.Count; start++)
        {
            var matches = true;
            for (var j = 0; j < part.Count && matches; j++)
            {
                matches = sourceLines[start + j] == part[j];
            }

            if (matches)
            {
                return true;
            }
        }

        return false;
    }

    private static string[] SplitLines(string text) => text.ReplaceLineEndings("\n").Split('\n');

    private static List<string> Normalize(IEnumerable<string> lines) => lines.Select(static line => line.Trim()).ToList();
}
