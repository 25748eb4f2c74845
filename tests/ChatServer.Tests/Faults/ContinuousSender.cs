using System.Collections.Concurrent;
using System.Reactive;
using System.Reactive.Subjects;
using ChatServer.Shared;
using ChatServer.Shared.Protocol;
using Reactive.Edits;

namespace ChatServer.Tests.Faults;

/// <summary>Sends through one <see cref="ChatClient"/> without pause, at most <c>window</c> sends unsettled at a time,
/// and records how each send ended.</summary>
public sealed class ContinuousSender : IDisposable
{
    private readonly ChatClient _client;
    private readonly string _prefix;
    private readonly int _textLength;
    private readonly SemaphoreSlim _window;
    private readonly IDisposable _events;
    private readonly Subject<Unit> _settled = new();

    public ContinuousSender(ChatClient client, string prefix, int window, int textLength = 0)
    {
        _client = client;
        _prefix = prefix;
        _textLength = textLength;
        _window = new SemaphoreSlim(window, window);
        // Settlements are recorded for every edit of this client: only this sender sends through it.
        _events = client.Edits.Events.Subscribe(e =>
        {
            var settled = e.Kind switch
            {
                EditEventKind.Accepted => Accepted.TryAdd(e.Edit.Id, e.Edit),
                EditEventKind.Rejected => Rejected.TryAdd(e.Edit.Id, e.Edit),
                _ => false,
            };
            if (settled)
            {
                _window.Release();
                _settled.OnNext(Unit.Default);
            }
        });
    }

    /// <summary>Fires after each send is accepted or rejected (and recorded as such).</summary>
    public IObservable<Unit> Settled => _settled;

    /// <summary>Every send requested, by edit id.</summary>
    public ConcurrentDictionary<EditId, string> Sent { get; } = new();

    public ConcurrentDictionary<EditId, Edit<ChatCommand>> Accepted { get; } = new();

    public ConcurrentDictionary<EditId, Edit<ChatCommand>> Rejected { get; } = new();

    /// <summary>Sends until <paramref name="stop"/> fires or <paramref name="count"/> sends were made.</summary>
    public async Task RunAsync(int count, CancellationToken stop)
    {
        for (var i = 0; i < count && !stop.IsCancellationRequested; i++)
        {
            try
            {
                await _window.WaitAsync(stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var text = $"{_prefix}-{i}";
            if (text.Length < _textLength)
            {
                text = text.PadRight(_textLength, '.');
            }
            var edit = _client.Send(text);
            Sent.TryAdd(edit.Id, text);
        }
    }

    /// <summary>Gets the sends not yet accepted nor rejected.</summary>
    public IReadOnlyList<EditId> Unsettled() =>
        [.. Sent.Keys.Where(id => !Accepted.ContainsKey(id) && !Rejected.ContainsKey(id))];

    public void Dispose()
    {
        _events.Dispose();
        _settled.Dispose();
        _window.Dispose();
    }
}
