namespace Reactive.Edits.Remote.Tests;

/// <summary>What a server connection costs while it waits for its client: a server holds thousands of them.</summary>
/// <remarks>Starting the driver over a channel whose receive stays pending runs synchronously up to the two loops'
/// first waits, so <see cref="GC.GetAllocatedBytesForCurrentThread"/> sees everything an idle connection is made of
/// (and a little more: what starting it costs once). No time is measured. Non-parallel: a meter listener enabled by
/// another test could allocate on this thread.</remarks>
[Collection(nameof(IdleConnectionFootprintTests))]
[CollectionDefinition(nameof(IdleConnectionFootprintTests), DisableParallelization = true)]
public sealed class IdleConnectionFootprintTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    private static readonly EditWireProtocol Protocol = new EditWireProtocol().WithCommand(TestJson.Default.PostMessage);

    // Measured (Debug): 2,144 B on net10.0 and 2,080 B on net8.0 with a linked token source per connection; 1,936 B and
    // 1,872 B without it. The budget is below both former figures, so the linked source (the object, its registration
    // on the connection's token and its registration table) cannot come back unnoticed.
    private const long BudgetBytes = 2_000;

    [Fact]
    public async Task StartingAnIdleConnection_AllocatesWithinItsBudget_AndTheCallersCancellationStillEndsIt()
    {
        using var server = new RemoteEditServer().Handle<PostMessage>(static (_, _, _) => Task.CompletedTask);

        // Once to warm up (JIT, static caches), then measured.
        await using (var warm = Idle.Start(server))
        {
            await warm.StopAsync();
        }

        await using var idle = Idle.Start(server, out var allocated);

        allocated.Should().BeLessThanOrEqualTo(BudgetBytes, "an idle connection holds its outbox, its loops and its channel, and nothing per connection that could be shared");
        idle.Run.IsCompleted.Should().BeFalse("the connection is idle, not ended");
        await idle.StopAsync();
        idle.Connection.Closed.IsCancellationRequested.Should().BeTrue("the caller's cancellation closes the connection");
    }

    private sealed class Idle : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop;
        private readonly InMemoryMessageChannel _client;

        private Idle(CancellationTokenSource stop, InMemoryMessageChannel client, RemoteEditConnection connection, Task run)
        {
            _stop = stop;
            _client = client;
            Connection = connection;
            Run = run;
        }

        public RemoteEditConnection Connection { get; }

        public Task Run { get; }

        public static Idle Start(RemoteEditServer server) => Start(server, out _);

        public static Idle Start(RemoteEditServer server, out long allocated)
        {
            var stop = new CancellationTokenSource();
            var (client, serverEnd) = InMemoryMessageChannel.CreatePair();
            var connection = new RemoteEditConnection("idle", null);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var run = server.RunAsync(connection, serverEnd, Protocol, null, stop.Token);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            return new Idle(stop, client, connection, run);
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await Run.WaitAsync(Guard);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _client.DisposeAsync();
            _stop.Dispose();
        }
    }
}
