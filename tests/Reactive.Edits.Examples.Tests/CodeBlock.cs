namespace Reactive.Edits.Examples.Tests;

/// <summary>A fenced code block of a Markdown file.</summary>
/// <param name="Line">The 1-based line of the Markdown file the code starts on.</param>
/// <param name="Lines">The code, one entry a line.</param>
internal sealed record CodeBlock(int Line, IReadOnlyList<string> Lines)
{
    public override string ToString() => $"line {Line}: {Lines.FirstOrDefault(static l => l.Trim().Length > 0)?.Trim()}";
}
