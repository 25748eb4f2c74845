using ChatServer.Shared;
using Reactive.Edits;
using Reactive.Edits.ChangeSets;
using Reactive.Edits.Remote;

namespace ChatServer.LoadTest;

/// <summary>A sender on the shared <see cref="ChatClient"/>: each message is a request on its edit set, which the
/// library sends as an edit and settles from the server's ack or reject; messages come from its authoritative list.</summary>
public sealed class SharedClientConnection : ILoadConnection
{
    private readonly ChatClient _client;
    private readonly IDisposable _subscriptions;

    private SharedClientConnection(ChatClient client, IDisposable subscriptions)
    {
        _client = client;
        _subscriptions = subscriptions;
    }

    public static async Task<SharedClientConnection> OpenAsync(Uri server, int index, string cookie, ILoadSink sink, CancellationToken cancellationToken)
    {
        var client = new ChatClient(server, new ChatClientOptions
        {
            ConfigureSocket = socket =>
            {
                socket.SetRequestHeader("Origin", server.GetLeftPart(UriPartial.Authority));
                socket.SetRequestHeader("Cookie", cookie);
            },
        });
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var wasConnected = false;
        var subscriptions = new System.Reactive.Disposables.CompositeDisposable
        {
            client.Edits.Events.Subscribe(change =>
            {
                switch (change.Kind)
                {
                    case EditEventKind.Accepted:
                        sink.OnAck(change.Edit.Id.Value);
                        break;
                    case EditEventKind.Rejected:
                        sink.OnReject(change.Edit.Id.Value, change.Edit.Error?.Message ?? "rejected");
                        break;
                }
            }),
            // New messages arrive as adds, in the server's order (a resent or repeated message would be an update
            // of the same key, which the list merges: duplicates are counted on the readers' lean connections).
            client.Messages.Subscribe(changes =>
            {
                foreach (var change in changes)
                {
                    if (change.Reason == ChangeReason.Add)
                    {
                        sink.OnMessage(index, change.Current.Text);
                    }
                }
            }),
            client.Status.Subscribe(status =>
            {
                if (status.State == RemoteConnectionState.Connected)
                {
                    wasConnected = true;
                    connected.TrySetResult();
                }
                else if (wasConnected && status.State != RemoteConnectionState.Stopped)
                {
                    // The client reconnects by itself, but for the load any drop is an early close.
                    sink.OnClosed(index, status.Error?.Message ?? status.State.ToString());
                }
            }),
        };
        client.Start();
        await connected.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        return new SharedClientConnection(client, subscriptions);
    }

    public Task<Guid> SendAsync(string text) => Task.FromResult(_client.Send(text).Id.Value);

    public async ValueTask DisposeAsync()
    {
        _subscriptions.Dispose();
        await _client.DisposeAsync();
    }
}
