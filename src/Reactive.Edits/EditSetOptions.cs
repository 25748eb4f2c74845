namespace Reactive.Edits;

/// <summary>Configures an <see cref="EditSet{T}"/>.</summary>
public sealed class EditSetOptions
{
    /// <summary>Gets the options every property of which has its default.</summary>
    public static EditSetOptions Default { get; } = new();

    /// <summary>Gets or sets the concurrency policy.</summary>
    /// <value>The default is <see cref="EditPolicy.Concurrent"/>.</value>
    public EditPolicy Policy { get; init; } = EditPolicy.Concurrent;

    /// <summary>Gets or sets the name that tags the set's metrics (<c>reactive_edits.set</c>).</summary>
    /// <value>The default is <c>"edits"</c>.</value>
    public string Name { get; init; } = "edits";
}
