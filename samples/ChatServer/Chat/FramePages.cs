using Reactive.Edits.Remote;

namespace ChatServer.Chat;

/// <summary>Encodes a list as consecutive pages, each one frame of at most a given size.</summary>
/// <remarks>
/// A frame over the client's limit ends its connection, and a client that reconnects gets the same frame again: a
/// history of long non-ASCII messages (JSON spells each such character in six bytes) or the presence of thousands of
/// users would lock every new client out. So what may grow past one frame is split instead, and nothing is dropped.
/// </remarks>
internal static class FramePages
{
    /// <summary>Encodes <paramref name="items"/> in order as few frames as halving gives, each at most <paramref name="maxFrameBytes"/>.</summary>
    /// <param name="items">What to send, in order; an empty list gives one frame.</param>
    /// <param name="maxFrameBytes">The largest frame.</param>
    /// <param name="encode">Encodes one page; the flag says whether it is the last page.</param>
    /// <returns>The frames, in order. A single item that does not fit alone is sent alone (the options check at
    /// startup that one message fits).</returns>
    public static List<ChannelMessage> Encode<T>(IReadOnlyList<T> items, int maxFrameBytes, Func<IReadOnlyList<T>, bool, ChannelMessage> encode)
    {
        var frames = new List<ChannelMessage>(1);
        Encode(items, 0, items.Count, isLast: true, maxFrameBytes, encode, frames);
        return frames;
    }

    // The whole list is tried first, so the usual case costs one encoding; a page too large is halved until it fits.
    private static void Encode<T>(IReadOnlyList<T> items, int start, int count, bool isLast, int maxFrameBytes, Func<IReadOnlyList<T>, bool, ChannelMessage> encode, List<ChannelMessage> frames)
    {
        var page = start == 0 && count == items.Count ? items : Slice(items, start, count);
        var frame = encode(page, isLast);
        if (frame.Data.Length <= maxFrameBytes || count <= 1)
        {
            frames.Add(frame);
            return;
        }

        var half = count / 2;
        Encode(items, start, half, isLast: false, maxFrameBytes, encode, frames);
        Encode(items, start + half, count - half, isLast, maxFrameBytes, encode, frames);
    }

    private static T[] Slice<T>(IReadOnlyList<T> items, int start, int count)
    {
        var slice = new T[count];
        for (var i = 0; i < count; i++)
        {
            slice[i] = items[start + i];
        }

        return slice;
    }
}
