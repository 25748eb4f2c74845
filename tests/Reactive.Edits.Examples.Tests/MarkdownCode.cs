using System.Text.RegularExpressions;

namespace Reactive.Edits.Examples.Tests;

/// <summary>Extracts the C# blocks of a Markdown file and finds them, modulo indentation, in a C# source file.</summary>
internal static partial class MarkdownCode
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

    /// <summary>Checks that <paramref name="block"/> appears in <paramref name="source"/>, line by line and contiguously, ignoring indentation.</summary>
    /// <remarks>
    /// A block's <c>using</c> directives (which a C# file can only hold at its top) are checked apart: each must be a
    /// directive of the source file. Every other line, blank lines included, must match in order.
    /// </remarks>
    public static bool AppearsIn(CodeBlock block, string source)
    {
        var sourceLines = Normalize(SplitLines(source));
        var blockLines = Normalize(block.Lines);
        var directives = blockLines.Where(static line => UsingDirective().IsMatch(line)).ToList();
        var body = blockLines.Where(static line => !UsingDirective().IsMatch(line)).SkipWhile(static line => line.Length == 0).ToList();

        if (!directives.TrueForAll(sourceLines.Contains))
        {
            return false;
        }

        if (body.Count == 0)
        {
            return true;
        }

        for (var start = 0; start + body.Count <= sourceLines.Count; start++)
        {
            var matches = true;
            for (var j = 0; j < body.Count && matches; j++)
            {
                matches = sourceLines[start + j] == body[j];
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

    [GeneratedRegex(@"^using\s+(static\s+)?[A-Za-z_][\w.]*\s*;$")]
    private static partial Regex UsingDirective();
}
