namespace Reactive.Edits.Remote;

/// <summary>Names the kind of payload a <see cref="ChannelMessage"/> carries, as WebSockets distinguish them.</summary>
public enum ChannelMessageType
{
    /// <summary>UTF-8 text.</summary>
    Text = 0,

    /// <summary>Opaque bytes.</summary>
    Binary = 1,
}
