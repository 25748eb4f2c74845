using ChatServer.Shared;
using ChatServer.Shared.Protocol;
using Reactive.Edits;

namespace ChatServer.Tests.Support;

/// <summary>Sends, edits or deletes through a <see cref="ChatClient"/> and awaits how the edit ended (accepted or rejected).</summary>
public static class Outcomes
{
    public static Task<Edit<ChatCommand>> SendAndSettleAsync(this ChatClient client, string text) =>
        client.SettleAsync(c => c.Send(text));

    public static Task<Edit<ChatCommand>> EditAndSettleAsync(this ChatClient client, ChatMessage message, string text) =>
        client.SettleAsync(c => c.Edit(message, text));

    public static Task<Edit<ChatCommand>> DeleteAndSettleAsync(this ChatClient client, Guid messageId) =>
        client.SettleAsync(c => c.Delete(messageId));

    public static async Task<Edit<ChatCommand>> SettleAsync(this ChatClient client, Func<ChatClient, Edit<ChatCommand>> request)
    {
        var settled = new TaskCompletionSource<Edit<ChatCommand>>(TaskCreationOptions.RunContinuationsAsynchronously);
        EditId? id = null;
        var early = new List<EditEvent<ChatCommand>>();
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
            var edit = request(client);
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
