namespace Reactive.Edits;

/// <summary>Reports one step of an edit's lifecycle.</summary>
/// <typeparam name="T">The type of the requested value.</typeparam>
/// <param name="Kind">The step.</param>
/// <param name="Edit">The edit's snapshot right after the step.</param>
public readonly record struct EditEvent<T>(EditEventKind Kind, Edit<T> Edit);
