using ChatServer.Tests.Support;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace ChatServer.Tests.Integration;

/// <summary>Chat:InlineSocketScheduling reaches Kestrel's socket transport: on by default, off when configured so.</summary>
public sealed class SocketTransportTests
{
    [Fact]
    public async Task ByDefault_TheSocketTransport_SchedulesInline()
    {
        await using var host = await ChatHost.StartAsync();

        Transport(host).UnsafePreferInlineScheduling.Should().BeTrue("a frame's pool block then goes back as soon as the socket has taken the frame");
    }

    [Fact]
    public async Task WithInlineSocketSchedulingOff_TheSocketTransport_UsesItsQueues()
    {
        await using var host = await ChatHost.StartAsync(static options => options.InlineSocketScheduling = false);

        Transport(host).UnsafePreferInlineScheduling.Should().BeFalse();
    }

    private static SocketTransportOptions Transport(ChatHost host) =>
        host.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value;
}
