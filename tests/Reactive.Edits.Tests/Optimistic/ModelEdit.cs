namespace Reactive.Edits.Tests.Optimistic;

/// <summary>What the merge models know of one edit: its current attempt, the key it targets and how it ended.</summary>
internal sealed class ModelEdit<TOp>(Edit<TOp> edit, string key)
{
    public Edit<TOp> Edit { get; set; } = edit;

    public string Key { get; } = key;

    public bool Rejected { get; set; }

    public bool Accepted { get; set; }

    public bool ChangedSinceAttempt { get; set; }

    public DateTimeOffset AcceptedAt { get; set; }

    /// <summary>The token of an earlier attempt, kept to spend it late.</summary>
    public EditToken? StaleToken { get; set; }
}
