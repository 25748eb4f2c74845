namespace Reactive.Edits.Benchmarks;

/// <summary>An authoritative item of the merge benchmarks: a keyed text with a server revision.</summary>
public sealed record Row(int Key, string Text, int Rev);

/// <summary>An edit of the merge benchmarks: set the text of the row with the key.</summary>
public sealed record RowEdit(int Key, string Text);
