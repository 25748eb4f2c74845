using ChatServer.Shared;
using ChatServer.Shared.Protocol;
using Reactive.Edits;

namespace ChatServer.Tests.Support;

/// <summary>Sends through a <see cref="ChatClient"/> and awaits how the edit ended (accepted or rejected).</summary>
public static class Outcomes
{
    public static async Task<Edit<SendMessage>> SendAndSettleAsync(this ChatClient client, string text)
    {
        var settled = new TaskCompletionSource<Edit<SendMessage>>(TaskCreationOptions.RunContinuationsAsynchronously);
        EditId? id = null;
        var early = new List<EditEvent<SendMessage>>();
        using (client.Edits.Events.Subscribe(e =>
        {
            if (e.Kind is EditEventKind.Accepted or EditEventKind.Rejected)
            {
                lock (early)
                {
                    if (id is null)
                    {
                        early.Add(e);
                    }
                    else if (e.Edit.Id == id)
                    {
                        settled.TrySetResult(e.Edit);
                    }
                }
            }
        }))
        {
            var edit = client.Send(text);
            lock (early)
            {
                id = edit.Id;
                foreach (var e in early)
                {
                    if (e.Edit.Id == id)
                    {
                        settled.TrySetResult(e.Edit);
                    }
                }
            }
            return await settled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }
}
