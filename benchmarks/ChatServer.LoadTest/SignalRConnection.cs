using Microsoft.AspNetCore.SignalR.Client;

namespace ChatServer.LoadTest;

/// <summary>One HubConnection of the load; a send is an invocation whose completion is the ack.</summary>
public sealed class SignalRConnection(HubConnection hub, int client, ILoadSink sink) : ILoadConnection
{
    private volatile bool _disposing;

    public Task<Guid> SendAsync(string text)
    {
        var id = Guid.NewGuid();
        // Open loop: do not wait for the completion; it is the ack, reported when it arrives.
        var invocation = hub.InvokeAsync<Guid>("Send", id, text);
        _ = invocation.ContinueWith(
            completed =>
            {
                if (completed.IsCompletedSuccessfully)
                {
                    sink.OnAck(completed.Result);
                }
                else if (!_disposing)
                {
                    sink.OnReject(id, completed.Exception?.InnerException?.Message ?? "cancelled");
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return Task.FromResult(id);
    }

    public Task OnClosedAsync(Exception? error)
    {
        if (!_disposing)
        {
            sink.OnClosed(client, error?.Message ?? "closed");
        }
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _disposing = true;
        await hub.DisposeAsync();
    }
}
