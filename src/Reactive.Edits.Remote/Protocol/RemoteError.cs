namespace Reactive.Edits.Remote;

/// <summary>Describes why a server rejected an edit: a stable machine-readable code and a message for people.</summary>
/// <remarks>Codes the library itself produces are listed in <see cref="RemoteErrorCodes"/>; applications choose their own for their rejections.</remarks>
public sealed class RemoteError : IEquatable<RemoteError>
{
    /// <summary>Initializes an error.</summary>
    /// <param name="code">The stable code, e.g. <c>"chat.too-long"</c>.</param>
    /// <param name="message">The message to show.</param>
    /// <exception cref="ArgumentNullException"><paramref name="code"/> or <paramref name="message"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="code"/> is empty.</exception>
    public RemoteError(string code, string message)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        ArgumentNullException.ThrowIfNull(message);
        Code = code;
        Message = message;
    }

    /// <summary>Gets the stable, machine-readable code.</summary>
    public string Code { get; }

    /// <summary>Gets the message for people.</summary>
    public string Message { get; }

    /// <summary>Compares two errors by code and message.</summary>
    /// <param name="left">The first error.</param>
    /// <param name="right">The second error.</param>
    /// <returns><see langword="true"/> if both are equal or both are <see langword="null"/>.</returns>
    public static bool operator ==(RemoteError? left, RemoteError? right) => Equals(left, right);

    /// <summary>Compares two errors by code and message.</summary>
    /// <param name="left">The first error.</param>
    /// <param name="right">The second error.</param>
    /// <returns><see langword="true"/> if they differ.</returns>
    public static bool operator !=(RemoteError? left, RemoteError? right) => !Equals(left, right);

    /// <summary>Creates the exception a client rejects the edit's token with.</summary>
    /// <returns>A <see cref="RemoteEditRejectedException"/> with this code and message.</returns>
    public RemoteEditRejectedException ToException() => new(Code, Message);

    /// <inheritdoc/>
    public bool Equals(RemoteError? other) =>
        other is not null && string.Equals(Code, other.Code, StringComparison.Ordinal) && string.Equals(Message, other.Message, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as RemoteError);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Code), StringComparer.Ordinal.GetHashCode(Message));

    /// <summary>Returns the code and message, for diagnostics.</summary>
    /// <returns>A text such as <c>chat.empty: The message is empty.</c>.</returns>
    public override string ToString() => $"{Code}: {Message}";
}
