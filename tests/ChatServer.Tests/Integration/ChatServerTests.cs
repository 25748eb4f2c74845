using System.Net;
using System.Text.Json.Nodes;
using ChatServer.Shared;
using ChatServer.Shared.Protocol;
using ChatServer.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Reactive.Edits;
using Reactive.Edits.Remote;

namespace ChatServer.Tests.Integration;

public sealed class ChatServerTests
{
    [Fact]
    public async Task Send_WithThreeSessions_ReachesEverySessionWithTheServersUser()
    {
        await using var host = await ChatHost.StartAsync();
        await using var alice = await TestUser.LoginAsync(host, "alice");
        await using var bob = await TestUser.LoginAsync(host, "bob");
        await using var reader = TestUser.Anonymous(host);
        var clients = new[] { await alice.ConnectAsync(), await alice.ConnectAsync(), await bob.ConnectAsync(), await reader.ConnectAsync() };
        var views = clients.Select(c => new LiveCollection<ChatMessage, EditId>(c.Messages)).ToList();

        var sent = await clients[0].SendAndSettleAsync("hello everyone");

        sent.Status.Should().Be(EditStatus.Accepted);
        foreach (var view in views)
        {
            await view.WaitUntilAsync(items => items.ContainsKey(sent.Id));
            view.Items[sent.Id].Should().Match<ChatMessage>(m => m.User == "alice" && m.Text == "hello everyone");
            view.Dispose();
        }
    }

    [Fact]
    public async Task Send_RapidSendsWithDemoLatency_ApplyInTheOrderTheyWereTyped()
    {
        // Independent delays could finish in any order; the server runs one send of a connection at a time instead.
        await using var host = await ChatHost.StartAsync(o =>
        {
            o.Demo.Latency = TimeSpan.FromMilliseconds(20);
            o.RateLimitCount = 1_000;
        });
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var client = await alice.ConnectAsync();
        using var view = new LiveCollection<ChatMessage, EditId>(client.Messages);

        var edits = Enumerable.Range(0, 8).Select(i => client.Send($"typed {i}")).ToList();
        await view.WaitUntilAsync(items => edits.All(e => items.ContainsKey(e.Id)));

        view.Items.Values.OrderBy(m => m.Sequence).Select(m => m.Text).Should().Equal(Enumerable.Range(0, 8).Select(i => $"typed {i}"));
    }

    [Fact]
    public async Task Send_HandlerCrashes_IsRejectedWithEditFailed_AndLoggedAsAnErrorWithTheException()
    {
        var crash = new InvalidOperationException("disk on fire");
        await using var host = await ChatHost.StartAsync(services: services => services.AddSingleton<ChatServer.Storage.IMessageStore>(new CrashingStore(crash)));
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var client = await alice.ConnectAsync();

        var edit = await client.SendAndSettleAsync("boom");

        edit.Status.Should().Be(EditStatus.Rejected);
        edit.Error.Should().BeOfType<RemoteEditRejectedException>().Which.Code.Should().Be(RemoteErrorCodes.Failed);
        edit.Error!.Message.Should().NotContain("disk", "the details stay on the server");
        host.Logs.Errors.Should().ContainSingle("a crashing handler is an error the fuzz test's check sees")
            .Which.Should().Match<LogEntry>(e => e.EventId.Id == 10 && ReferenceEquals(e.Exception, crash) && e.Message.Contains(edit.Id.Value.ToString(), StringComparison.Ordinal));
    }

    private sealed class CrashingStore(Exception crash) : ChatServer.Storage.IMessageStore
    {
        public IReadOnlyList<ChatMessage> Recent() => [];

        public ChatServer.Storage.StoredMessage? Find(Guid id) => throw crash;

        public IReadOnlyList<ChatMessage> Append(IReadOnlyList<ChatServer.Storage.NewMessage> messages) => throw crash;

        public void AddToRecent(IReadOnlyList<ChatMessage> stored) => throw crash;

        public ChatMessage Edit(Guid editId, EditMessage command, ChatMessage current, bool apply) => throw crash;

        public ChatServer.Storage.StoredMessage Delete(Guid editId, DeleteMessage command, ChatMessage current) => throw crash;

        public void UpdateRecent(ChatServer.Storage.StoredMessage changed) => throw crash;
    }

    [Fact]
    public async Task Connect_AfterMessages_ReceivesHistoryThenLiveMessages()
    {
        await using var host = await ChatHost.StartAsync();
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var first = await (await alice.ConnectAsync()).SendAndSettleAsync("before");
        await using var late = TestUser.Anonymous(host);
        var client = await late.ConnectAsync();
        using var view = new LiveCollection<ChatMessage, EditId>(client.Messages);

        await view.WaitUntilAsync(items => items.ContainsKey(first.Id));
        var second = await (await alice.ConnectAsync()).SendAndSettleAsync("after");
        await view.WaitUntilAsync(items => items.ContainsKey(second.Id));

        view.Items.Values.OrderBy(m => m.Sequence).Select(m => m.Text).Should().Equal("before", "after");
    }

    [Fact]
    public async Task Connect_AfterMoreHistoryThanOneFrameHolds_ReceivesAllOfItWithoutReconnecting()
    {
        var (started, sent) = await StartWithHistoryLargerThanOneFrameAsync();
        await using var host = started;

        await using var late = TestUser.Anonymous(host);
        var client = await late.ConnectAsync();
        var connects = new List<RemoteConnectionStatus>();
        using var statuses = client.Status.Subscribe(status => { lock (connects) { connects.Add(status); } });
        using var view = new LiveCollection<ChatMessage, EditId>(client.Messages);
        await view.WaitUntilAsync(items => items.Count == sent.Count);

        view.Items.Keys.Should().BeEquivalentTo(sent);
        view.Items.Values.OrderBy(m => m.Sequence).Select(m => m.Text.Length).Should().AllBeEquivalentTo(500);
        lock (connects)
        {
            connects.Should().OnlyContain(status => status.State == RemoteConnectionState.Connected, "the first connection took the whole history");
        }
    }

    [Fact]
    public async Task History_LargerThanOneFrame_IsSplitIntoFramesThatEachFitTheLimit()
    {
        var (started, sent) = await StartWithHistoryLargerThanOneFrameAsync();
        await using var host = started;

        await using var reader = TestUser.Anonymous(host);
        await using var raw = await reader.ConnectRawAsync();
        var pages = new List<JsonObject>();
        while (pages.Count == 0 || pages[^1]["payload"]!["more"]?.GetValue<bool>() == true)
        {
            pages.Add(await raw.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.HistoryType)));
        }

        pages.Should().HaveCountGreaterThan(1);
        pages.Select(page => raw.ReceivedBytes[raw.Received.IndexOf(page)]).Should().OnlyContain(bytes => bytes <= ChatProtocol.MaxFrameSize);
        pages.SelectMany(p => p["payload"]!["messages"]!.AsArray()).Select(m => m!["sequence"]!.GetValue<long>())
            .Should().Equal(Enumerable.Range(1, sent.Count).Select(i => (long)i), "the pages hold the history once, oldest first");
    }

    // 40 messages of 500 non-ASCII characters: JSON escapes each character as \uXXXX, so the history is about 120 KB,
    // twice what one frame may carry (ChatProtocol.MaxFrameSize, 64 KiB, the client's limit).
    private static async Task<(ChatHost Host, List<EditId> Sent)> StartWithHistoryLargerThanOneFrameAsync()
    {
        const int Messages = 40;
        var host = await ChatHost.StartAsync(o =>
        {
            o.HistorySize = Messages;
            o.RateLimitCount = 100;
        });
        try
        {
            await using var alice = await TestUser.LoginAsync(host, "alice");
            var sender = await alice.ConnectAsync();
            var sent = new List<EditId>();
            for (var i = 0; i < Messages; i++)
            {
                var edit = await sender.SendAndSettleAsync(new string((char)('à' + (i % 20)), 500));
                edit.Status.Should().Be(EditStatus.Accepted);
                sent.Add(edit.Id);
            }
            return (host, sent);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    [Fact]
    public async Task Presence_JoinAndLeave_ShowUsersWithTabsLiveInEverySession()
    {
        await using var host = await ChatHost.StartAsync();
        await using var alice = await TestUser.LoginAsync(host, "alice");
        await using var bob = await TestUser.LoginAsync(host, "bob");
        var watcher = await alice.ConnectAsync();
        using var presence = new LiveCollection<PresenceEntry, string>(watcher.Presence);

        var bobFirst = await bob.ConnectAsync();
        await presence.WaitUntilAsync(p => p.TryGetValue("bob", out var e) && e.Tabs == 1 && p["alice"].Tabs == 1);
        var bobSecond = await bob.ConnectRawAsync();
        await presence.WaitUntilAsync(p => p.TryGetValue("bob", out var e) && e.Tabs == 2);

        await bobFirst.DisposeAsync();
        await presence.WaitUntilAsync(p => p.TryGetValue("bob", out var e) && e.Tabs == 1);
        // An abrupt disconnect: no close handshake, the TCP connection just ends.
        bobSecond.Socket.Abort();
        await presence.WaitUntilAsync(p => !p.ContainsKey("bob"));

        presence.Items.Keys.Should().Equal("alice");
    }

    [Fact]
    public async Task Presence_BurstOfJoinsAndLeaves_EveryoneEndsWithTheTrueCounts()
    {
        // Presence changes are coalesced: a burst folds into fewer frames. Whatever was folded, a watcher connected
        // throughout and a latecomer who starts from the room's snapshot must both end with the true counts.
        const int Readers = 40;
        await using var host = await ChatHost.StartAsync(o => o.PresenceGrace = TimeSpan.FromMilliseconds(50));
        await using var watcher = await TestUser.LoginAsync(host, "watcher");
        using var watched = new LiveCollection<PresenceEntry, string>((await watcher.ConnectAsync()).Presence);
        await watched.WaitUntilAsync(p => p.ContainsKey("watcher"));
        var readers = TestUser.Anonymous(host);

        // One reader first, so that the burst after it must reach the others as updates of a known entry.
        await readers.ConnectRawAsync();
        await watched.WaitUntilAsync(p => p.TryGetValue(PresenceEntry.AnonymousKey, out var e) && e.Tabs == 1);
        var sockets = await Task.WhenAll(Enumerable.Range(1, Readers - 1).Select(_ => readers.ConnectRawAsync()));
        await watched.WaitUntilAsync(p => p.TryGetValue(PresenceEntry.AnonymousKey, out var e) && e.Tabs == Readers);
        await using var latecomer = await TestUser.LoginAsync(host, "latecomer");
        using var late = new LiveCollection<PresenceEntry, string>((await latecomer.ConnectAsync()).Presence);
        await late.WaitUntilAsync(p => p.TryGetValue(PresenceEntry.AnonymousKey, out var e) && e.Tabs == Readers && p.ContainsKey("watcher") && p.ContainsKey("latecomer"));

        // Half of the burst leaves at once (updates down), then everyone (the entry goes).
        await Task.WhenAll(sockets.Take(Readers / 2).Select(socket => socket.DisposeAsync().AsTask()));
        await watched.WaitUntilAsync(p => p.TryGetValue(PresenceEntry.AnonymousKey, out var e) && e.Tabs == Readers / 2);
        await late.WaitUntilAsync(p => p.TryGetValue(PresenceEntry.AnonymousKey, out var e) && e.Tabs == Readers / 2);
        await readers.DisposeAsync();
        await watched.WaitUntilAsync(p => !p.ContainsKey(PresenceEntry.AnonymousKey));
        await late.WaitUntilAsync(p => !p.ContainsKey(PresenceEntry.AnonymousKey));

        watched.Items.Keys.Should().BeEquivalentTo("watcher", "latecomer");
        late.Items.Keys.Should().BeEquivalentTo("watcher", "latecomer");
        watched.Items["watcher"].Tabs.Should().Be(1);
    }

    [Fact]
    public async Task Presence_AnonymousReaders_AreCountedUnderTheAnonymousKey()
    {
        await using var host = await ChatHost.StartAsync();
        await using var reader = TestUser.Anonymous(host);
        var client = await reader.ConnectAsync();
        using var presence = new LiveCollection<PresenceEntry, string>(client.Presence);

        await presence.WaitUntilAsync(p => p.TryGetValue(PresenceEntry.AnonymousKey, out var e) && e.Tabs == 1);

        presence.Items.Values.Should().ContainSingle().Which.IsAnonymous.Should().BeTrue();
    }

    [Fact]
    public async Task Presence_ReconnectWithinGrace_DoesNotFlapForOthers()
    {
        var time = new FakeTimeProvider();
        await using var host = await ChatHost.StartAsync(o => o.PresenceGrace = TimeSpan.FromSeconds(3), time);
        await using var alice = await TestUser.LoginAsync(host, "alice");
        await using var bob = await TestUser.LoginAsync(host, "bob");
        var watcher = await alice.ConnectAsync();
        using var presence = new LiveCollection<PresenceEntry, string>(watcher.Presence);
        var tracker = host.Services.GetRequiredService<ChatServer.Presence.PresenceTracker>();
        var bobSocket = await bob.ConnectRawAsync();
        await presence.WaitUntilAsync(p => p.ContainsKey("bob"));

        var leaving = tracker.WhenLeaveScheduled("bob");
        bobSocket.Socket.Abort();
        await leaving;
        var bobAgain = await bob.ConnectRawAsync();
        await bobAgain.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.HistoryType));
        time.Advance(TimeSpan.FromSeconds(10));
        // A change after the reconnect, to be sure alice has seen everything the server sent before it.
        await using var carol = await TestUser.LoginAsync(host, "carol");
        await carol.ConnectRawAsync();
        await presence.WaitUntilAsync(p => p.ContainsKey("carol"));

        presence.Changes.Where(c => c.Key == "bob").Should().ContainSingle("bob joined once and never left")
            .Which.Current.Tabs.Should().Be(1);
    }

    [Fact]
    public async Task Presence_AfterGraceWindow_RemovesTheUser()
    {
        var time = new FakeTimeProvider();
        await using var host = await ChatHost.StartAsync(o => o.PresenceGrace = TimeSpan.FromSeconds(3), time);
        await using var alice = await TestUser.LoginAsync(host, "alice");
        await using var bob = await TestUser.LoginAsync(host, "bob");
        var watcher = await alice.ConnectAsync();
        using var presence = new LiveCollection<PresenceEntry, string>(watcher.Presence);
        var tracker = host.Services.GetRequiredService<ChatServer.Presence.PresenceTracker>();
        var bobSocket = await bob.ConnectRawAsync();
        await presence.WaitUntilAsync(p => p.ContainsKey("bob"));

        var leaving = tracker.WhenLeaveScheduled("bob");
        bobSocket.Socket.Abort();
        await leaving;
        time.Advance(TimeSpan.FromSeconds(3));

        await presence.WaitUntilAsync(p => !p.ContainsKey("bob"));
    }

    [Fact]
    public async Task Reconnect_AfterLogin_ReplacesTheAnonymousConnectionWithTheUser()
    {
        await using var host = await ChatHost.StartAsync();
        await using var visitor = TestUser.Anonymous(host);
        var client = await visitor.ConnectAsync();
        using var presence = new LiveCollection<PresenceEntry, string>(client.Presence);
        await presence.WaitUntilAsync(p => p.ContainsKey(PresenceEntry.AnonymousKey));

        using var login = await visitor.Http.SendAsync(TestUser.BasicLogin("erin", string.Empty));
        client.Reconnect();

        await presence.WaitUntilAsync(p => p.ContainsKey("erin") && !p.ContainsKey(PresenceEntry.AnonymousKey));
        client.Welcome!.User.Should().Be("erin");
    }

    [Fact]
    public async Task Send_Anonymous_IsRejectedWithNotLoggedIn()
    {
        await using var host = await ChatHost.StartAsync();
        await using var reader = TestUser.Anonymous(host);
        var client = await reader.ConnectAsync();

        var edit = await client.SendAndSettleAsync("may I?");

        edit.Status.Should().Be(EditStatus.Rejected);
        edit.Error.Should().BeOfType<RemoteEditRejectedException>().Which.Code.Should().Be(ChatProtocol.NotLoggedIn);
        host.Room.Recent().Should().BeEmpty();
    }

    [Fact]
    public async Task Send_AuthoritativeMessage_ArrivesBeforeItsAck()
    {
        await using var host = await ChatHost.StartAsync();
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var socket = await alice.ConnectRawAsync();
        var ids = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToList();

        foreach (var id in ids)
        {
            await socket.SendEditAsync(id, 1, """{"text":"ordered"}""");
        }
        foreach (var id in ids)
        {
            await socket.ReceiveUntilAsync(f => RawSocket.Is(f, "ack", id));
        }

        foreach (var id in ids)
        {
            var messageAt = socket.Received.FindIndex(f => RawSocket.Is(f, ChatProtocol.MessageType, id));
            var ackAt = socket.Received.FindIndex(f => RawSocket.Is(f, "ack", id));
            messageAt.Should().BeGreaterThanOrEqualTo(0).And.BeLessThan(ackAt);
        }
    }

    [Fact]
    public async Task AckAndReject_ReachOnlyTheIssuer()
    {
        await using var host = await ChatHost.StartAsync();
        await using var alice = await TestUser.LoginAsync(host, "alice");
        await using var bob = await TestUser.LoginAsync(host, "bob");
        var aliceSocket = await alice.ConnectRawAsync();
        var bobSocket = await bob.ConnectRawAsync();
        // The upgrade returns before the room has taken Bob in; his welcome says he is in the broadcast.
        await bobSocket.ReceiveUntilAsync(f => RawSocket.Is(f, ChatProtocol.WelcomeType));
        var accepted = Guid.NewGuid();
        var rejected = Guid.NewGuid();

        await aliceSocket.SendEditAsync(accepted, 1, """{"text":"fine"}""");
        await aliceSocket.SendEditAsync(rejected, 1, """{"text":"   "}""");
        await aliceSocket.ReceiveUntilAsync(f => RawSocket.Is(f, "ack", accepted));
        var reject = aliceSocket.Received.Find(f => RawSocket.Is(f, "reject", rejected))
            ?? await aliceSocket.ReceiveUntilAsync(f => RawSocket.Is(f, "reject", rejected));
        // Bob's own ack comes after anything the server posted to him before it: his outbox is ordered.
        var own = Guid.NewGuid();
        await bobSocket.SendEditAsync(own, 1, """{"text":"mine"}""");
        await bobSocket.ReceiveUntilAsync(f => RawSocket.Is(f, "ack", own));

        ((string?)reject["code"]).Should().Be(ChatProtocol.Empty);
        bobSocket.Received.Should().Contain(f => RawSocket.Is(f, ChatProtocol.MessageType, accepted), "messages are broadcast");
        bobSocket.Received.Should().NotContain(f => RawSocket.Is(f, "ack", accepted) || RawSocket.Is(f, "reject", rejected));
    }

    [Fact]
    public async Task Resend_OfTheSameEditId_YieldsOneMessage()
    {
        await using var host = await ChatHost.StartAsync();
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var first = await alice.ConnectRawAsync();
        var id = Guid.NewGuid();

        await first.SendEditAsync(id, 1, """{"text":"once"}""");
        await first.SendEditAsync(id, 1, """{"text":"once"}""");
        await first.ReceiveUntilAsync(f => RawSocket.Is(f, "ack", id));
        await first.ReceiveUntilAsync(f => RawSocket.Is(f, "ack", id));
        // And again from a new connection, as after a reconnect.
        var second = await alice.ConnectRawAsync();
        await second.SendEditAsync(id, 1, """{"text":"once"}""");
        await second.ReceiveUntilAsync(f => RawSocket.Is(f, "ack", id));

        host.Room.Recent().Where(m => m.Id == id).Should().ContainSingle();
        first.Received.Count(f => RawSocket.Is(f, ChatProtocol.MessageType, id)).Should().Be(1);
    }

    [Theory]
    [InlineData("", ChatProtocol.Empty)]
    [InlineData("0123456789A", ChatProtocol.TooLong)]
    public async Task Send_Invalid_IsRejectedWithCodeAndMessage(string text, string code)
    {
        await using var host = await ChatHost.StartAsync(o => o.MaxMessageLength = 10);
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var client = await alice.ConnectAsync();

        var edit = await client.SendAndSettleAsync(text);

        edit.Status.Should().Be(EditStatus.Rejected);
        var error = edit.Error.Should().BeOfType<RemoteEditRejectedException>().Subject;
        error.Code.Should().Be(code);
        error.Message.Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Send_OverTheRate_IsRejectedPerUser()
    {
        await using var host = await ChatHost.StartAsync(o => (o.RateLimitCount, o.RateLimitWindow) = (2, TimeSpan.FromHours(1)));
        await using var alice = await TestUser.LoginAsync(host, "alice");
        await using var bob = await TestUser.LoginAsync(host, "bob");
        var client = await alice.ConnectAsync();

        (await client.SendAndSettleAsync("1")).Status.Should().Be(EditStatus.Accepted);
        (await client.SendAndSettleAsync("2")).Status.Should().Be(EditStatus.Accepted);
        var third = await client.SendAndSettleAsync("3");
        var bobs = await (await bob.ConnectAsync()).SendAndSettleAsync("bob is not limited by alice");

        third.Error.Should().BeOfType<RemoteEditRejectedException>().Which.Code.Should().Be(ChatProtocol.RateLimited);
        bobs.Status.Should().Be(EditStatus.Accepted);
    }

    [Fact]
    public async Task Retry_AfterDemoFailure_YieldsExactlyOneMessage()
    {
        await using var host = await ChatHost.StartAsync(o => o.Demo.FailEveryNth = 2);
        await using var alice = await TestUser.LoginAsync(host, "alice");
        var client = await alice.ConnectAsync();
        (await client.SendAndSettleAsync("warm-up")).Status.Should().Be(EditStatus.Accepted);

        var failed = await client.SendAndSettleAsync("try me");
        failed.Error.Should().BeOfType<RemoteEditRejectedException>().Which.Code.Should().Be(ChatProtocol.DemoFailure);
        var accepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (client.Edits.Events.Subscribe(e =>
        {
            if (e.Edit.Id == failed.Id && e.Kind == EditEventKind.Accepted)
            {
                accepted.TrySetResult();
            }
        }))
        {
            client.Retry(failed.Id).Should().BeTrue();
            await accepted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }

        var messages = host.Room.Recent();
        messages.Select(m => m.Text).Should().Equal("warm-up", "try me");
        messages[1].Id.Should().Be(failed.Id.Value, "the retry keeps the edit id");
    }

    [Fact]
    public async Task Auth_WithNonEmptyPassword_IsRefusedWithAClearMessage()
    {
        await using var host = await ChatHost.StartAsync();
        await using var visitor = TestUser.Anonymous(host);

        using var response = await visitor.Http.SendAsync(TestUser.BasicLogin("bob", "secret"));
        var result = await response.Content.ReadFromJsonAsync(ChatJsonContext.Default.AuthResult);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        result!.Error.Should().Contain("password must be empty");
        visitor.Cookies.GetCookies(host.Address).Should().BeEmpty();
    }

    [Fact]
    public async Task Auth_PostWithoutCredentialsFromANonFetchClient_GetsTheBasicChallenge()
    {
        await using var host = await ChatHost.StartAsync();
        await using var visitor = TestUser.Anonymous(host);

        using var response = await visitor.Http.PostAsync("/auth?returnUrl=%2F", null);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.Should().ContainSingle().Which.Scheme.Should().Be("Basic");
    }

    [Fact]
    public async Task Auth_FormPostWithEmptyPassword_SetsHttpOnlyCookieAndRedirectsBack()
    {
        await using var host = await ChatHost.StartAsync();
        await using var visitor = TestUser.Anonymous(host);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth?returnUrl=%2F");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("dora:"u8.ToArray()));

        using var response = await visitor.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.Location!.OriginalString.Should().Be("/");
        response.Headers.GetValues("Set-Cookie").Should().ContainSingle().Which.Should().Contain("httponly");
        var me = await visitor.Http.GetFromJsonAsync("/auth/me", ChatJsonContext.Default.AuthResult);
        me!.User.Should().Be("dora");
    }

    // docs/protocol.md gives these bodies to people who write their own clients: pinned as raw text, not through the
    // shared record, so that a change of the wire shape shows here.
    [Fact]
    public async Task Me_AnswersTheBodiesTheProtocolPageDocuments()
    {
        await using var host = await ChatHost.StartAsync();
        await using var visitor = TestUser.Anonymous(host);
        await using var ada = await TestUser.LoginAsync(host, "ada");

        (await visitor.Http.GetStringAsync("/auth/me")).Should().Be("""{"user":null,"error":null}""");
        (await ada.Http.GetStringAsync("/auth/me")).Should().Be("""{"user":"ada","error":null}""");
    }

    [Fact]
    public async Task Logout_EndsTheSession()
    {
        await using var host = await ChatHost.StartAsync();
        await using var alice = await TestUser.LoginAsync(host, "alice");

        using var logout = await alice.Http.PostAsync("/auth/logout", null);
        var me = await alice.Http.GetFromJsonAsync("/auth/me", ChatJsonContext.Default.AuthResult);

        me!.User.Should().BeNull();
    }
}
