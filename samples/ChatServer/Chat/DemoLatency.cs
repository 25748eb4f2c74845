using System.Runtime.CompilerServices;
using Reactive.Edits.Remote;

namespace ChatServer.Chat;

/// <summary>The demo's simulated latency, applied so that one connection's sends still take effect in the order they
/// arrived.</summary>
/// <remarks>A network delays a connection's frames without reordering them. Independent timers of the same length can
/// fire in either order, so each send waits for its own delay and then for the connection's previous send to finish.</remarks>
internal sealed class DemoLatency(TimeSpan latency, TimeProvider time)
{
    private readonly ConditionalWeakTable<RemoteEditConnection, Lane> _lanes = [];

    /// <summary>Waits for the latency and for the connection's previous send; dispose the turn when this send is done.</summary>
    public async Task<IDisposable> WaitTurnAsync(RemoteEditConnection connection, CancellationToken cancellationToken)
    {
        var lane = _lanes.GetValue(connection, static _ => new Lane());
        var turn = new Turn();
        Task previous;
        lock (lane)
        {
            previous = lane.Tail;
            lane.Tail = turn.Done;
        }

        try
        {
            await Task.Delay(latency, time, cancellationToken);
            await previous.WaitAsync(cancellationToken);
            return turn;
        }
        catch
        {
            turn.Dispose();
            throw;
        }
    }

    private sealed class Lane
    {
        public Task Tail { get; set; } = Task.CompletedTask;
    }

    private sealed class Turn : IDisposable
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Done => _done.Task;

        public void Dispose() => _done.TrySetResult();
    }
}
