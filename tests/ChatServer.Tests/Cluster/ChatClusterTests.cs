using System.Diagnostics;
using System.Net;
using ChatServer.Tests.Support;
using Xunit.Abstractions;

namespace ChatServer.Tests.Cluster;

/// <summary>The cluster fixture itself and the balancer's checks: HAProxy's configuration from the template the script
/// uses, a node killed and restarted behind the balancer, Redis killed under every node.</summary>
public sealed class ChatClusterTests(ClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    [SkippableFact]
    public async Task Configuration_FromTheTemplate_IsAcceptedByHaproxyAndListsEveryNode()
    {
        Balancer.SkipUnlessInstalled();
        var directory = Directory.CreateTempSubdirectory("haproxy-config-").FullName;
        try
        {
            var text = Balancer.Configuration(await File.ReadAllTextAsync(Balancer.TemplatePath), 5100, Path.Combine(directory, "haproxy.sock"), [5101, 5102, 5103]);
            var settings = text.Split('\n').Select(static line => line.Trim()).Where(static line => line.Length > 0 && !line.StartsWith('#')).ToList();

            settings.Should().NotContain(static line => line.Contains("{{"), "every placeholder is replaced");
            string[] servers = ["server node1 127.0.0.1:5101 check", "server node2 127.0.0.1:5102 check", "server node3 127.0.0.1:5103 check"];
            settings.Where(static line => line.StartsWith("server ", StringComparison.Ordinal)).Should().Equal(servers);
            settings.Should().Contain("bind 127.0.0.1:5100").And.Contain("balance roundrobin").And.Contain("option httpchk GET /health");
            var path = Path.Combine(directory, "haproxy.cfg");
            await File.WriteAllTextAsync(path, text);
            using var check = Process.Start(new ProcessStartInfo(Balancer.ExecutablePath)
            {
                ArgumentList = { "-c", "-f", path },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var output = await check.StandardOutput.ReadToEndAsync() + await check.StandardError.ReadToEndAsync();
            await check.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            check.ExitCode.Should().Be(0, output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [SkippableFact]
    public async Task KillNode_IsTakenOutByItsHealthCheck_AndRestartPutsItBackOnItsPort()
    {
        var cluster = fixture.Cluster;
        using var http = new HttpClient { BaseAddress = cluster.Address };

        await cluster.KillNodeAsync(1);
        var clock = Stopwatch.StartNew();
        await cluster.Balancer.WaitForStateAsync(1, "DOWN");
        output.WriteLine($"HAProxy took the killed node out {clock.Elapsed.TotalSeconds:0.0} s after its death.");
        for (var i = 0; i < 2 * cluster.NodeCount; i++)
        {
            (await http.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK, "the balancer sends only to the nodes that are up");
        }

        clock.Restart();
        await cluster.RestartNodeAsync(1);
        output.WriteLine($"The node restarted and was back in HAProxy in {clock.Elapsed.TotalSeconds:0.0} s.");

        (await http.GetAsync(new Uri(cluster.NodeAddress(1), "/health"))).StatusCode.Should().Be(HttpStatusCode.OK, "the node listens on its port again");
    }

    [SkippableFact]
    public async Task RedisKilled_EveryNodeAnswersItsHealthCheckDegraded_SoTheBalancerKeepsServing_UntilRedisIsBack()
    {
        var cluster = fixture.Cluster;
        using var http = new HttpClient { BaseAddress = cluster.Address };

        await cluster.Redis.KillAsync();
        var answers = new List<(HttpStatusCode Status, string Text)>();
        for (var i = 0; i < cluster.NodeCount; i++)
        {
            using var health = await http.GetAsync(new Uri(cluster.NodeAddress(i), "/health"));
            answers.Add((health.StatusCode, await health.Content.ReadAsStringAsync()));
        }
        using var page = await http.GetAsync(new Uri("/", UriKind.Relative));
        await cluster.Redis.RestartAsync();

        // The balancer's check expects 200: a node that says Degraded stays in, so the page still loads, and the
        // nodes' open sockets keep their pending sends for when Redis is back.
        answers.Should().OnlyContain(a => a.Status == HttpStatusCode.OK && a.Text.StartsWith("Degraded", StringComparison.Ordinal) && a.Text.Contains("redis: Redis is unavailable"));
        page.StatusCode.Should().Be(HttpStatusCode.OK, "the nodes serve the client while Redis is away");
        for (var i = 0; i < cluster.NodeCount; i++)
        {
            await cluster.Balancer.WaitForStateAsync(i, "UP");
        }
    }
}
