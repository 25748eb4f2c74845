namespace Reactive.Edits;

/// <summary>Says what a <see cref="SerialQueue{TWork}"/> does with the items behind one that threw.</summary>
internal enum SerialQueueFault
{
    /// <summary>Clears them and ignores every later item: the owner's output has ended in error.</summary>
    StopForever,

    /// <summary>Keeps them queued for the next caller to drain: one observer's breach does not silence the others.</summary>
    KeepQueued,
}
