namespace Reactive.Edits.Testing;

/// <summary>Pairs a lifecycle event with the time it was observed.</summary>
/// <typeparam name="T">The type of the requested values.</typeparam>
/// <param name="Time">When the event was observed, on the recorder's clock.</param>
/// <param name="Event">The event.</param>
public readonly record struct RecordedEditEvent<T>(DateTimeOffset Time, EditEvent<T> Event);
