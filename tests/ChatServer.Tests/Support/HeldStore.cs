using ChatServer.Shared.Protocol;
using ChatServer.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ChatServer.Tests.Support;

/// <summary>Holds the write of a send or an edit with a given text inside the store until released, so that a test
/// can act while that write is under way (queue more sends behind it, open a connection).</summary>
public sealed class HeldStore(string holdText)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);
    private readonly ManualResetEventSlim _release = new();

    /// <summary>Completes when the held write has started and is waiting for <see cref="Release"/>.</summary>
    public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private string HoldText { get; } = holdText;

    /// <summary>Starts a chat host whose store is an in-memory store held by this one.</summary>
    public Task<ChatHost> StartHostAsync() => ChatHost.StartAsync(services: services =>
        services.AddSingleton<IMessageStore>(provider => new Holding(ActivatorUtilities.CreateInstance<MemoryMessageStore>(provider), this)));

    public void Release() => _release.Set();

    private sealed class Holding(IMessageStore inner, HeldStore owner) : IMessageStore
    {
        public IReadOnlyList<ChatMessage> Recent() => inner.Recent();

        public StoredMessage? Find(Guid id) => inner.Find(id);

        public IReadOnlyList<ChatMessage> Append(IReadOnlyList<NewMessage> messages)
        {
            if (messages.Any(message => message.Text == owner.HoldText))
            {
                Hold();
            }
            return inner.Append(messages);
        }

        public void AddToRecent(IReadOnlyList<ChatMessage> stored) => inner.AddToRecent(stored);

        public ChatMessage Edit(Guid editId, EditMessage command, ChatMessage current, bool apply)
        {
            if (command.Text == owner.HoldText)
            {
                Hold();
            }
            return inner.Edit(editId, command, current, apply);
        }

        public StoredMessage Delete(Guid editId, DeleteMessage command, ChatMessage current) => inner.Delete(editId, command, current);

        public void UpdateRecent(StoredMessage changed) => inner.UpdateRecent(changed);

        // On the room's writing thread, as the disk's flush would: the write is under way until released.
        private void Hold()
        {
            owner.Held.TrySetResult();
            owner._release.Wait(Guard);
        }
    }
}
