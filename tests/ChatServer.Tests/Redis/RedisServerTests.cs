using System.Net.Sockets;
using ChatServer.Tests.Support;

namespace ChatServer.Tests.Redis;

/// <summary>The test fixture itself: a restart keeps the port and the data, and disposing removes every trace.</summary>
public sealed class RedisServerTests
{
    [SkippableFact]
    public async Task Restart_AfterKill_ListensOnTheSamePortAndDisposeDeletesTheDirectory()
    {
        var redis = await RedisServer.StartAsync();
        string directory;
        await using (redis)
        {
            directory = redis.Directory;
            var port = redis.Port;
            await redis.KillAsync();
            var refused = async () =>
            {
                using var client = new TcpClient();
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            };
            await refused.Should().ThrowAsync<SocketException>("a killed server listens no more");

            await redis.RestartAsync();

            redis.Port.Should().Be(port);
            Directory.EnumerateFiles(directory, "*.aof", SearchOption.AllDirectories).Should().NotBeEmpty("the append-only file is in the server's directory");
        }

        Directory.Exists(directory).Should().BeFalse();
    }
}
