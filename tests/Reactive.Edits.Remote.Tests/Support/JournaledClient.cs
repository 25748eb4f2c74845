using Reactive.Edits.Testing;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Remote.Tests.Support;

/// <summary>One run of a client program: an edit set, a remote client and a journal on a store that outlives the run.</summary>
/// <remarks>A crash is simply abandoning a run (nothing disposed) and starting the next on the same store.</remarks>
internal sealed class JournaledClient : IDisposable
{
    public static readonly EditWireProtocol Protocol = new EditWireProtocol().WithCommand(TestJson.Default.PostMessage).WithCommand("text", TestJson.Default.String);

    private int _delivered;

    public JournaledClient(IUnsettledEditStore store, TestClock clock, bool restore = true)
    {
        Edits = new EditSet<string>(EditSetOptions.Default, clock);
        Events = new EditRecorder<string>(Edits, clock);
        Journal = new UnsettledEditJournal<string>(Edits, Protocol, store);
        StoreErrors = Journal.StoreErrors.Record();
        Restored = restore ? Journal.Restore() : [];
        Client = new RemoteEditClient<string>(
            Edits,
            new RemoteEditOptions { AckTimeout = Timeout.InfiniteTimeSpan, MaxSendAttempts = int.MaxValue, GiveUpAfter = Timeout.InfiniteTimeSpan },
            clock);
        Sent = Client.Outgoing.Record();
    }

    public EditSet<string> Edits { get; }

    public UnsettledEditJournal<string> Journal { get; }

    public RemoteEditClient<string> Client { get; }

    public IReadOnlyList<Edit<string>> Restored { get; }

    public ObservableRecorder<EditRequest<string>> Sent { get; }

    public ObservableRecorder<Exception> StoreErrors { get; }

    public EditRecorder<string> Events { get; }

    /// <summary>Gets, for each edit seen accepted, how many requests this run had sent by then (0 for one accepted in an earlier run).</summary>
    public Dictionary<EditId, int> AcceptedBefore { get; } = [];

    /// <summary>Delivers every request sent since the last call to the server, and its answer back unless <paramref name="loseReply"/> says otherwise.</summary>
    public void Exchange(LedgerServer server, Func<EditRequest<string>, bool>? loseReply = null)
    {
        var requests = Sent.Values.Skip(_delivered).ToList();
        _delivered += requests.Count;
        foreach (var request in requests)
        {
            var reply = server.Receive(request);
            if (loseReply?.Invoke(request) != true)
            {
                Client.OnReply(reply);
            }
        }
    }

    // Disposed in the order the journal's remarks ask for: the journal before the set.
    public void Dispose()
    {
        Events.Dispose();
        Sent.Dispose();
        Client.Dispose();
        Journal.Dispose();
        StoreErrors.Dispose();
        Edits.Dispose();
    }
}
