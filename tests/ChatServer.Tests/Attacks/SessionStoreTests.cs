using System.Security.Claims;
using ChatServer.Auth;
using ChatServer.Chat;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ChatServer.Tests.Attacks;

/// <summary>Attack: grow the server's session store without bound — log in again and again, never log out. Sessions
/// expire in the store (sliding) and the store is bounded; both in virtual time.</summary>
public sealed class SessionStoreTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromHours(1);

    [Fact]
    public async Task UnusedSession_IsDroppedAfterTheTimeout_WhileAUsedOneSlides()
    {
        var time = new FakeTimeProvider();
        var store = new MemorySessionStore(time, Options.Create(new ChatOptions { SessionTimeout = Timeout }));
        var idle = await store.StoreAsync(Ticket("idle"));
        var used = await store.StoreAsync(Ticket("used"));

        time.Advance(Timeout - TimeSpan.FromMinutes(1));
        (await store.RetrieveAsync(used)).Should().NotBeNull("used within the timeout");
        time.Advance(TimeSpan.FromMinutes(2));

        (await store.RetrieveAsync(idle)).Should().BeNull("unused for longer than the timeout");
        (await store.RetrieveAsync(used)).Should().NotBeNull("its last use was 2 minutes ago: the expiry slides");
        store.Count.Should().Be(1, "the expired session is dropped, not kept");
    }

    [Fact]
    public async Task StoredTicket_CarriesItsSessionId_AndARemovedSessionIsNotRenewedBack()
    {
        var time = new FakeTimeProvider();
        var store = new MemorySessionStore(time, Options.Create(new ChatOptions { SessionTimeout = Timeout }));
        var id = await store.StoreAsync(Ticket("alice"));
        var ticket = await store.RetrieveAsync(id);

        await store.RemoveAsync(id);
        await store.RenewAsync(id, ticket!);

        SessionClaim.Of(ticket!.Principal).Should().Be(id);
        (await store.RetrieveAsync(id)).Should().BeNull("a logout is final: renewing does not bring the session back");
    }

    [Fact]
    public async Task AThousandLogins_KeepAtMostMaxSessions()
    {
        var store = new MemorySessionStore(new FakeTimeProvider(), Options.Create(new ChatOptions { MaxSessions = 100 }));

        for (var i = 0; i < 1_000; i++)
        {
            await store.StoreAsync(Ticket($"user{i}"));
        }

        store.Count.Should().Be(100);
    }

    private static AuthenticationTicket Ticket(string user) =>
        new(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], "Cookies")), "Cookies");
}
