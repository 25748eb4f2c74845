namespace Reactive.Edits.Remote;

/// <summary>Describes a server handler that failed with an exception other than a <see cref="RemoteEditRejectedException"/>.</summary>
/// <remarks>
/// The client is answered with <see cref="RemoteErrorCodes.Failed"/> and a generic message (the details do not leak);
/// this is where the details go: log <see cref="Exception"/> with the <see cref="Context"/>.
/// </remarks>
public sealed class RemoteEditHandlerFailedEventArgs : EventArgs
{
    /// <summary>Initializes the event data.</summary>
    /// <param name="context">The edit and connection the handler ran for.</param>
    /// <param name="command">The command the handler ran.</param>
    /// <param name="exception">What the handler threw.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/>, <paramref name="command"/> or <paramref name="exception"/> is <see langword="null"/>.</exception>
    public RemoteEditHandlerFailedEventArgs(RemoteEditContext context, object command, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(exception);
        Context = context;
        Command = command;
        Exception = exception;
    }

    /// <summary>Gets the edit (id, attempt) and the connection it arrived on.</summary>
    public RemoteEditContext Context { get; }

    /// <summary>Gets the command the handler ran.</summary>
    public object Command { get; }

    /// <summary>Gets the exception the handler threw.</summary>
    public Exception Exception { get; }
}
