using ChatServer.Chat;
using Reactive.Edits.Remote;

namespace ChatServer.Tests.Protocol;

public sealed class FramePagesTests
{
    // A page is encoded as its items joined by commas, with a trailing "!" on the last page: its size is the sum of the
    // items' lengths, so the test controls exactly what fits.
    private static ChannelMessage Encode(IReadOnlyList<string> page, bool isLast) =>
        ChannelMessage.Text(string.Join(",", page) + (isLast ? "!" : string.Empty));

    private static List<string> Decode(IEnumerable<ChannelMessage> frames) =>
        frames.SelectMany(frame => frame.GetText().TrimEnd('!').Split(',', StringSplitOptions.RemoveEmptyEntries)).ToList();

    [Fact]
    public void Encode_WhenEverythingFits_GivesOneFrameMarkedLast()
    {
        var items = new[] { "a", "bb", "ccc" };

        var frames = FramePages.Encode(items, maxFrameBytes: 100, Encode);

        frames.Select(f => f.GetText()).Should().Equal("a,bb,ccc!");
    }

    [Fact]
    public void Encode_Empty_GivesOneEmptyLastFrame()
    {
        var frames = FramePages.Encode(Array.Empty<string>(), maxFrameBytes: 10, Encode);

        frames.Select(f => f.GetText()).Should().Equal("!");
    }

    [Theory]
    [InlineData(1_000, 64)]
    [InlineData(37, 20)]
    [InlineData(500, 1_000)]
    public void Encode_WhenTooLarge_SplitsIntoFramesThatFitAndKeepEveryItemOnceInOrder(int count, int maxFrameBytes)
    {
        var random = new Random(count);
        var items = Enumerable.Range(0, count).Select(i => i + new string('x', random.Next(0, 12))).ToList();

        var frames = FramePages.Encode(items, maxFrameBytes, Encode);

        frames.Should().OnlyContain(f => f.Data.Length <= maxFrameBytes);
        Decode(frames).Should().Equal(items);
        frames.Select(f => f.GetText().EndsWith('!')).Should().Equal(frames.Select((_, i) => i == frames.Count - 1), "only the last page says it is the last");
    }

    [Fact]
    public void Encode_AnItemLargerThanAFrame_IsSentAloneRatherThanDropped()
    {
        var items = new[] { "a", new string('y', 50), "b" };

        var frames = FramePages.Encode(items, maxFrameBytes: 10, Encode);

        Decode(frames).Should().Equal(items);
        frames.Should().ContainSingle(f => f.Data.Length > 10).Which.GetText().TrimEnd('!').Should().Be(items[1]);
    }
}
