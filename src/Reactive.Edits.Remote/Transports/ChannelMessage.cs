using System.Text;

namespace Reactive.Edits.Remote;

/// <summary>Represents one whole message of an <see cref="IMessageChannel"/>: text (UTF-8) or binary bytes.</summary>
/// <param name="Type">Whether the bytes are UTF-8 text or binary.</param>
/// <param name="Data">The bytes of the whole message.</param>
/// <remarks>Equality compares the memory reference, not the bytes; compare <see cref="Data"/> with <c>Span.SequenceEqual</c> for content.</remarks>
public readonly record struct ChannelMessage(ChannelMessageType Type, ReadOnlyMemory<byte> Data)
{
    /// <summary>Creates a text message from a string.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The message, UTF-8 encoded.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static ChannelMessage Text(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new ChannelMessage(ChannelMessageType.Text, Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Creates a binary message.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The message.</returns>
    public static ChannelMessage Binary(ReadOnlyMemory<byte> data) => new(ChannelMessageType.Binary, data);

    /// <summary>Decodes the bytes as UTF-8 text, whatever the <see cref="Type"/>.</summary>
    /// <returns>The text; invalid UTF-8 sequences become U+FFFD.</returns>
    public string GetText() => Encoding.UTF8.GetString(Data.Span);
}
