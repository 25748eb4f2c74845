namespace ChatServer.Storage;

/// <summary>Thrown by <see cref="SqliteChatDatabase.Write{T}"/> when the write could not be made durable, and by the
/// Redis log (<c>Storage/Redis</c>) while Redis cannot be reached: nothing was stored that survives, and the edit must be
/// rejected, retryably, instead of acknowledged.</summary>
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException()
        : this(new StorageFault("the store is unavailable", Permanent: false))
    {
    }

    public StorageUnavailableException(string message)
        : base(message)
    {
        Fault = new StorageFault(message, Permanent: false);
    }

    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
        Fault = new StorageFault(message, Permanent: false);
    }

    public StorageUnavailableException(StorageFault fault, Exception? innerException = null)
        : base(fault?.Reason, innerException)
    {
        ArgumentNullException.ThrowIfNull(fault);
        Fault = fault;
    }

    /// <summary>Gets the fault in force.</summary>
    public StorageFault Fault { get; }
}
