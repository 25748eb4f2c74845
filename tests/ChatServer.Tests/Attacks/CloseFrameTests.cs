using System.Net.WebSockets;
using ChatServer.Storage;
using ChatServer.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ChatServer.Tests.Attacks;

/// <summary>A close the server decides on must reach the client as a close frame with its status, not as a reset,
/// even while the server is in the middle of sending to it.</summary>
public sealed class CloseFrameTests(ITestOutputHelper output)
{
    private const int Tries = 30;

    // A history of about 1.6 MB (3,000 messages of 500 characters, in some 25 pages of 64 KiB): a new connection is
    // still being sent pages when its first frame arrives, so a send is in flight when the server closes.
    private const int HistoryMessages = 3_000;

    // "{"type":"ed" with a lone continuation byte and an overlong encoding inside the string.
    private static readonly byte[] InvalidUtf8 = [.. """{"type":"ed"""u8, 0x80, 0xC0, 0xAF, .. """it"}"""u8];

    [Fact]
    public async Task InvalidUtf8_WhileTheHistoryIsBeingSent_ReachesTheClientAsA1007CloseFrameEveryTime()
    {
        await using var host = await ChatHost.StartAsync(options => options.HistorySize = HistoryMessages);
        var store = host.Services.GetRequiredService<IMessageStore>();
        var text = new string('h', 500);
        for (var i = 0; i < HistoryMessages; i++)
        {
            store.AddToRecent(store.Append([new NewMessage(Guid.NewGuid(), "historian", text)]));
        }

        var outcomes = new List<string>();
        for (var i = 0; i < Tries; i++)
        {
            await using var visitor = TestUser.Anonymous(host);
            var socket = await visitor.ConnectRawAsync();
            // At once, before reading anything: the server is writing the welcome and the history.
            await socket.SendBytesAsync(InvalidUtf8, WebSocketMessageType.Text);
            outcomes.Add(await CloseOrResetAsync(socket));
        }

        var closed1007 = outcomes.Count(o => o == "1007");
        output.WriteLine($"{closed1007} of {Tries} saw a 1007 close frame; the others: {string.Join(", ", outcomes.Where(o => o != "1007"))}");
        outcomes.Should().AllBe("1007", "the server closes with 1007, and the close frame must not be lost to a reset");
    }

    // The close status the client read, or how the connection ended without a close frame.
    private static async Task<string> CloseOrResetAsync(RawSocket socket)
    {
        try
        {
            var (status, _) = await socket.ReceiveCloseAsync();
            return ((int?)status)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "close without status";
        }
        catch (WebSocketException ex)
        {
            return $"reset ({ex.WebSocketErrorCode})";
        }
    }
}
