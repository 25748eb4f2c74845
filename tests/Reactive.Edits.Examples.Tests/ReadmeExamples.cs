using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Reactive.Edits;
using Reactive.Edits.ChangeSets;
using Reactive.Edits.Diagnostics;
using Reactive.Edits.Optimistic;
using Reactive.Edits.Remote;
using Reactive.Edits.Testing;

namespace Reactive.Edits.Examples.Tests;

// The C# blocks of README.md and src/Reactive.Edits/PACKAGE.md, verbatim (ReadmeTests checks it), run and asserted: the
// top-level statements of a block as the body of a test, its using directives among this file's, its type declarations
// after this class. (The README's test class is ChatInputTests.cs.) Inside this class "Console" is the recorder at the
// bottom of the class, not System.Console, so that the examples, which print, can be copied here unchanged and what they
// print can be asserted.
public sealed class ReadmeExamples
{
    public ReadmeExamples() => Console.Clear();

    [Fact]
    public void QuickStart_RequestAcceptRejectRetry_PrintsBusyAndKeepsTheFailedEdit()
    {
        using var edits = new EditSet<string>();
        using var busy = edits.IsBusy.Subscribe(b => Console.WriteLine($"busy: {b}"));

        var (token, value) = edits.Request("hello");   // the edit is a [token, value] pair
        var empty = edits.Request("");                 // a second edit, in flight at the same time
        Console.WriteLine($"sending '{value}'");
        token.Accept();                                // "hello" is done: it leaves the set
        empty.Token.Reject(new ArgumentException("Message is empty."));

        var failed = edits.Items.Single();             // the rejected edit stays, with its value and its error
        Console.WriteLine($"{failed.Status} '{failed.Value}': {failed.Error!.Message}");
        edits.Retry(failed.Id, "hello again");         // same id, a new attempt with a new token
        Console.WriteLine(empty.Token.Accept());       // the old attempt's token changes nothing now

        Console.Lines.Should().Equal(
            "busy: False",
            "busy: True",
            "sending 'hello'",
            "busy: False",
            "Rejected '': Message is empty.",
            "busy: True",
            "False");
        edits.Items.Should().ContainSingle().Which.Should().Match<Edit<string>>(e => e.Id == empty.Id && e.Value == "hello again" && e.Attempt == 2);
    }

    [Fact]
    public void Cancel_WaitingAndStartedEdits_SaysWhetherTheCommandMayHaveRun()
    {
        using var edits = new EditSet<string>(new EditSetOptions { Policy = EditPolicy.Queued });
        var sending = edits.Request("first");          // started: a committer may already have sent it
        var waiting = edits.Request("second");         // waiting behind it: nothing was sent
        Console.WriteLine(edits.Cancel(waiting.Id));   // BeforeStart: guaranteed to have no effect
        Console.WriteLine(edits.Cancel(sending.Id));   // AfterStart: tracking stops; the server may still apply it

        Console.Lines.Should().Equal("BeforeStart", "AfterStart");
        sending.Token.CancellationToken.IsCancellationRequested.Should().BeTrue();
        edits.Items.Should().BeEmpty();
    }

    [Fact]
    public void Policies_LatestWins_SupersedesAndCancelsThePendingEdit()
    {
        using var search = new EditSet<string>(new EditSetOptions { Policy = EditPolicy.LatestWins });
        using var log = search.Events.Subscribe(e => Console.WriteLine($"{e.Kind} '{e.Edit.Value}'"));

        var first = search.Request("rea");
        var second = search.Request("reactive");                    // supersedes "rea"
        Console.WriteLine(first.Token.CancellationToken.IsCancellationRequested);
        Console.WriteLine(first.Token.Accept());                    // a late answer for "rea" changes nothing
        second.Token.Accept();

        Console.Lines.Should().Equal(
            "Requested 'rea'",
            "Started 'rea'",
            "Superseded 'rea'",
            "Requested 'reactive'",
            "Started 'reactive'",
            "True",
            "False",
            "Accepted 'reactive'");
    }

    [Fact]
    public void Commit_ThrowingAndSilentServer_RejectsWithTheErrorAndWithATimeout()
    {
        var clock = new TestClock();                   // virtual time; an app uses the default scheduler
        using var edits = new EditSet<string>(EditSetOptions.Default, clock);
        using var log = edits.Events.Subscribe(e => Console.WriteLine($"{e.Kind} '{e.Edit.Value}' {e.Edit.Error?.Message}".TrimEnd()));

        var server = new TaskCompletionSource();       // stands for a server that has not answered yet
        using var committer = edits.Commit(
            (text, id, cancellationToken) => text.Length == 0
                ? throw new ArgumentException("Message is empty.")
                : server.Task.WaitAsync(cancellationToken),
            new CommitOptions { Timeout = TimeSpan.FromSeconds(10) });

        edits.Request("");                             // the command throws: rejected with its exception
        var hello = edits.Request("hello");
        clock.AdvanceBy(TimeSpan.FromSeconds(10));     // no answer within 10 s: rejected with a timeout
        server.SetResult();                            // the server is back
        edits.Retry(hello.Id);                         // same id, new attempt: accepted

        Console.Lines.Should().Equal(
            "Requested ''",
            "Started ''",
            "Rejected '' Message is empty.",
            "Requested 'hello'",
            "Started 'hello'",
            "Rejected 'hello' The edit did not complete within 00:00:10.",
            "Retried 'hello'",
            "Started 'hello'",
            "Accepted 'hello'");
        edits.Items.Should().ContainSingle().Which.Value.Should().BeEmpty();
    }

    [Fact]
    public void Counts_QueuedEdits_CountPendingWaitingAndRejected()
    {
        using var edits = new EditSet<string>(new EditSetOptions { Policy = EditPolicy.Queued });
        using var counts = edits.Counts.Subscribe(c => Console.WriteLine($"pending {c.Pending} (waiting {c.Waiting}), rejected {c.Rejected}, busy {c.IsBusy}"));

        var a = edits.Request("a");
        var b = edits.Request("b");                    // waits until "a" settles
        a.Token.Accept();                              // "b" starts in the same step: busy never blinks
        b.Token.Reject(new InvalidOperationException("Server said no."));
        edits.Discard(b.Id);

        Console.Lines.Should().Equal(
            "pending 0 (waiting 0), rejected 0, busy False",
            "pending 1 (waiting 0), rejected 0, busy True",
            "pending 2 (waiting 1), rejected 0, busy True",
            "pending 1 (waiting 0), rejected 0, busy True",
            "pending 0 (waiting 0), rejected 1, busy False",
            "pending 0 (waiting 0), rejected 0, busy False");
    }

    [Fact]
    public void Events_RejectRetryAccept_ShowsTheErrorThenTheOutcome()
    {
        using var edits = new EditSet<string>();
        using var toasts = edits.Events
            .Where(e => e.Kind == EditEventKind.Rejected)
            .Subscribe(e => Console.WriteLine($"Not sent: '{e.Edit.Value}' ({e.Edit.Error!.Message}) [Retry] [Discard]"));
        using var outcomes = edits.Events
            .Where(e => e.Kind is EditEventKind.Accepted or EditEventKind.Discarded)
            .Subscribe(e => Console.WriteLine($"{e.Kind} '{e.Edit.Value}' after {e.Edit.Attempt} attempt(s)"));

        var edit = edits.Request("hello");
        edit.Token.Reject(new TimeoutException("The server did not answer."));
        edits.Retry(edit.Id);
        edits.Items.Single().Token.Accept();

        Console.Lines.Should().Equal(
            "Not sent: 'hello' (The server did not answer.) [Retry] [Discard]",
            "Accepted 'hello' after 2 attempt(s)");
    }

    [Fact]
    public void Metrics_MeterListener_SeesCountersAndSettleTime()
    {
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, meters) =>
        {
            if (instrument.Meter.Name == EditDiagnostics.MeterName)
            {
                meters.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            Console.WriteLine($"{instrument.Name} +{value} {string.Join(" ", tags.ToArray())}"));
        listener.SetMeasurementEventCallback<double>((instrument, seconds, tags, _) =>
            Console.WriteLine($"{instrument.Name} {TimeSpan.FromSeconds(seconds)}"));
        listener.Start();

        var clock = new TestClock();
        using var edits = new EditSet<string>(new EditSetOptions { Name = "chat-input" }, clock);
        var edit = edits.Request("hello");
        clock.AdvanceBy(TimeSpan.FromMilliseconds(250));
        edit.Token.Accept();

        Console.Lines.Should().Equal(
            "reactive_edits.requested +1 [reactive_edits.set, chat-input]",
            "reactive_edits.accepted +1 [reactive_edits.set, chat-input] [reactive_edits.outcome, accepted]",
            "reactive_edits.settle_time 00:00:00.2500000");
    }

    [Fact]
    public void OptimisticView_EchoThenAck_ReplacesThePendingRowInPlace()
    {
        using var server = new KeyedSource<Message, EditId>(m => m.Id);   // what the server says
        using var edits = new EditSet<string>();
        var options = new OptimisticOptions<Message, EditId, string>
        {
            KeyOf = edit => edit.Id,                                    // a send creates the message keyed by its edit id
            Predict = (edit, current) => new Message(edit.Id, edit.Value),
        };
        var view = new List<OptimisticItem<Message, EditId>>();
        var order = OptimisticOrder.Create<Message, EditId>(Comparer<Message>.Create((a, b) => a.Id.CompareTo(b.Id)));
        using var binding = server.Connect().MergeOptimistic(edits, options).SortAndBind(view, order).Subscribe();

        var edit = edits.Request("hi");
        Console.WriteLine($"{view[0].Item.Text} {view[0].State}");
        server.AddOrUpdate(new Message(edit.Id, "hi"));                  // the server's copy arrives before its ack
        edit.Token.Accept();
        Console.WriteLine($"{view[0].Item.Text} {view[0].State}");

        Console.Lines.Should().Equal("hi Pending", "hi Confirmed");
        view.Should().ContainSingle();
    }

    [Fact]
    public void OptimisticView_ItemThatIncludesThePendingEdit_IsNotAddedTo()
    {
        using var server = new KeyedSource<Counter, string>(c => c.Name);
        using var edits = new EditSet<int>();                               // each edit adds its value to the counter
        var options = new OptimisticOptions<Counter, string, int>
        {
            KeyOf = edit => "likes",
            Predict = (edit, current) => current is null ? null : current with { Value = current.Value + edit.Value },
            Includes = (counter, edit) => counter.AppliedEditIds.Contains(edit.Id),
        };
        using var printer = server.Connect().MergeOptimistic(edits, options).Subscribe(changes =>
        {
            foreach (var change in changes)
            {
                Console.WriteLine($"{change.Current.Item.Value} {change.Current.State}");
            }
        });

        server.AddOrUpdate(new Counter("likes", 10, []));
        var edit = edits.Request(1);                                        // +1
        server.AddOrUpdate(new Counter("likes", 20, []));                   // someone else's +10: the +1 goes on top
        server.AddOrUpdate(new Counter("likes", 21, [edit.Id]));            // the server applied the +1
        edit.Token.Accept();

        Console.Lines.Should().Equal("10 Confirmed", "11 Pending", "21 Pending", "21 Pending", "21 Confirmed");
    }

    [Fact]
    public async Task RealClientAndServer_OverAWebSocket_AcceptsOneAndRejectsTheEmptyOne()
    {
        // The wire protocol: one command type, as JSON through source-generated metadata (trimming-safe, also in the browser).
        var protocol = new EditWireProtocol().WithCommand(ChatJson.Default.SendMessage);

        // The server: a WebSocket endpoint that runs each edit through its handler once per edit id and answers the sender.
        var messages = new List<string>();
        using var server = new RemoteEditServer().Handle<SendMessage>((command, context, cancellationToken) =>
        {
            if (string.IsNullOrWhiteSpace(command.Text))
            {
                throw new RemoteEditRejectedException("chat.empty", "Type a message first.");
            }

            lock (messages)
            {
                messages.Add(command.Text);
            }

            return Task.CompletedTask;
        });

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");         // any free port
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        await using var app = builder.Build();
        app.UseWebSockets();
        app.Map("/edits", async (HttpContext http) =>
        {
            if (!http.WebSockets.IsWebSocketRequest)
            {
                http.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            using var socket = await http.WebSockets.AcceptWebSocketAsync();
            var connection = new RemoteEditConnection(http.TraceIdentifier, http.User);
            await server.RunAsync(connection, new WebSocketMessageChannel(socket), protocol, onMessage: null, http.RequestAborted);
        });
        await app.StartAsync();
        var endpoint = new Uri(app.Urls.First().Replace("http://", "ws://") + "/edits");

        // The client: an edit set, and a connection that carries its edits, reconnecting (and resending) until disposed.
        using var edits = new EditSet<SendMessage>();
        using var client = new RemoteEditClient<SendMessage>(edits);
        await using var connection = new RemoteEditClientConnection(
            async cancellationToken =>
            {
                var socket = new ClientWebSocket();
                await socket.ConnectAsync(endpoint, cancellationToken);
                return new WebSocketMessageChannel(socket);
            },
            protocol).Add(client);
        connection.Start();

        var settled = edits.Events.Where(e => e.Kind is EditEventKind.Accepted or EditEventKind.Rejected).Take(2).ToList().ToTask();
        edits.Request(new SendMessage("hello"));
        edits.Request(new SendMessage(" "));
        foreach (var e in await settled)
        {
            Console.WriteLine($"{e.Kind} '{e.Edit.Value.Text}' {e.Edit.Error?.Message}".TrimEnd());
        }

        Console.WriteLine($"the server stored {messages.Count} message(s)");

        Console.Lines.Should().Equal("Accepted 'hello'", "Rejected ' ' Type a message first.", "the server stored 1 message(s)");
    }

    [Fact]
    public void SurvivingARestart_PendingEdit_ComesBackWithItsIdAndLeavesTheStoreWhenAccepted()
    {
        var protocol = new EditWireProtocol().WithCommand(ChatJson.Default.SendMessage);
        var store = new InMemoryUnsettledEditStore();   // in an app, one that outlives the process (localStorage, a file)

        // The first run sends a message and ends before the server's answer arrives: nothing is disposed, as in a crash.
        var firstRun = new EditSet<SendMessage>();
        var firstJournal = new UnsettledEditJournal<SendMessage>(firstRun, protocol, store);
        var sent = firstRun.Request(new SendMessage("hello"));

        // The next run puts it back, pending, with its id and attempt; a RemoteEditClient on the set would resend it now.
        using var edits = new EditSet<SendMessage>();
        using var journal = new UnsettledEditJournal<SendMessage>(edits, protocol, store);
        var restored = journal.Restore().Single();
        Console.WriteLine($"{restored.Status} '{restored.Value.Text}', same id: {restored.Id == sent.Id}, attempt {restored.Attempt}");
        restored.Token.Accept();                        // the server's ack: the entry leaves the store
        Console.WriteLine($"stored: {store.Count}");

        Console.Lines.Should().Equal("Pending 'hello', same id: True, attempt 1", "stored: 0");
    }

    [Fact]
    public void RemoteEdits_LostAnswer_IsResentWithTheSameIdAndAppliedOnce()
    {
        var clock = new TestClock();
        using var edits = new EditSet<string>(EditSetOptions.Default, clock);
        using var client = new RemoteEditClient<string>(edits, new RemoteEditOptions { AckTimeout = TimeSpan.FromSeconds(10) }, clock);
        using var server = new ScriptedEditServer<string>(client, clock);
        server.Script = delivery => delivery.DeliveryCount == 1
            ? new ScriptedResponse { AckDelay = null }                  // the first answer is lost
            : ScriptedResponse.Accept;
        server.Connect();

        var edit = edits.Request("hello");
        clock.AdvanceBy(TimeSpan.FromSeconds(10));                      // no answer: unknown, resent with the same id
        Console.WriteLine($"sent {server.Received.Count}x, applied {server.Applied.Count}x, pending: {edits.Items.Count}");

        Console.Lines.Should().Equal("sent 2x, applied 1x, pending: 0");
        server.Received.Should().OnlyContain(r => r.Id == edit.Id);
    }

    [Fact]
    public void Threading_TokenSpentOnAnotherThread_NotifiesOnThatThread()
    {
        using var edits = new EditSet<string>();
        var caller = Environment.CurrentManagedThreadId;
        using var log = edits.Events.Subscribe(e => Console.WriteLine(
            $"{e.Kind} on {(Environment.CurrentManagedThreadId == caller ? "the caller's thread" : "another thread")}"));

        var edit = edits.Request("hello");                     // Requested and Started are delivered inside this call
        var worker = new Thread(() => edit.Token.Accept());    // Accepted is delivered on the thread that spends the token
        worker.Start();
        worker.Join();

        Console.Lines.Should().Equal(
            "Requested on the caller's thread",
            "Started on the caller's thread",
            "Accepted on another thread");
    }

    [Fact]
    public void Threading_ViewModel_ShowsBusyOnTheUiContextOnly()
    {
        var ui = new QueueSynchronizationContext();
        var shown = new List<(bool Busy, bool OnUi)>();
        using var edits = new EditSet<string>();
        SendBoxViewModel viewModel;
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(ui);     // this thread plays the UI thread
        try
        {
            viewModel = new SendBoxViewModel(edits, busy => shown.Add((busy, ui.IsRunning)));
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        using (viewModel)
        {
            var edit = edits.Request("hello");
            var worker = new Thread(() => edit.Token.Accept());
            worker.Start();
            worker.Join();

            shown.Should().BeEmpty("nothing reaches the UI but through its context");
            ui.RunPending();
            shown.Should().Equal((false, true), (true, true), (false, true));
        }
    }

    [Fact]
    public void ComingFromDynamicData_Bridge_MirrorsTheSetIntoADictionary()
    {
        var rows = new Dictionary<EditId, Edit<string>>();          // stands for another library's keyed cache
        using var edits = new EditSet<string>();
        using var bridge = edits.Connect().Subscribe(changes =>
        {
            foreach (var change in changes)
            {
                switch (change.Reason)
                {
                    case ChangeReason.Add:
                    case ChangeReason.Update:
                        rows[change.Key] = change.Current;
                        break;
                    case ChangeReason.Remove:
                        rows.Remove(change.Key);
                        break;
                    case ChangeReason.Refresh:
                        break;                                      // same item; a cache that re-evaluates it would refresh its key here
                }
            }
        });

        var sent = edits.Request("hello");
        var failed = edits.Request("oops");
        failed.Token.Reject(new InvalidOperationException("Server said no."));
        sent.Token.Accept();
        Console.WriteLine(string.Join(", ", rows.Values.Select(e => $"{e.Value}: {e.Status}")));

        Console.Lines.Should().Equal("oops: Rejected");
        rows.Keys.Should().Equal(failed.Id);
    }

    // Records what the examples print; see the comment at the top of the class.
    private static class Console
    {
        private static readonly List<string> Output = [];

        public static IReadOnlyList<string> Lines
        {
            get
            {
                lock (Output)
                {
                    return [.. Output];
                }
            }
        }

        public static void WriteLine(object? value)
        {
            lock (Output)
            {
                Output.Add(value?.ToString() ?? string.Empty);
            }
        }

        public static void Clear()
        {
            lock (Output)
            {
                Output.Clear();
            }
        }
    }
}

// The message type of the optimistic-view example.
record Message(EditId Id, string Text);

// The counter of the optimistic-view example: the server lists in it the ids of the edits it applied.
record Counter(string Name, int Value, ImmutableList<EditId> AppliedEditIds);

// The view model of the threading example.
// Create it on the UI thread: SynchronizationContext.Current is then the UI's.
public sealed class SendBoxViewModel : IDisposable
{
    private readonly IDisposable _busy;

    public SendBoxViewModel(EditSet<string> edits, Action<bool> showBusy) =>
        _busy = edits.IsBusy.ObserveOn(SynchronizationContext.Current!).Subscribe(showBusy);

    public void Dispose() => _busy.Dispose();
}

// The command and its JSON metadata of the real-client-and-server example.
record SendMessage(string Text);

[JsonSerializable(typeof(SendMessage))]
partial class ChatJson : JsonSerializerContext;
