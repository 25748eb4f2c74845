using Microsoft.Extensions.Time.Testing;

namespace Reactive.Edits.Remote.Tests;

/// <summary>Every timer of the remote layer runs on a <see cref="TimeProvider"/> given in its options.</summary>
public sealed class TimeProviderTests
{
    [Fact]
    public void Client_AckTimeout_RunsOnTheOptionsTimeProvider()
    {
        var time = new FakeTimeProvider();
        using var edits = new EditSet<string>();
        using var client = new RemoteEditClient<string>(edits, new RemoteEditOptions { AckTimeout = TimeSpan.FromSeconds(10), TimeProvider = time });
        var sent = new List<EditRequest<string>>();
        using var subscription = client.Outgoing.Subscribe(sent.Add);
        client.OnConnected();
        var edit = edits.Request("hello");

        time.Advance(TimeSpan.FromSeconds(9));
        sent.Should().HaveCount(1);
        time.Advance(TimeSpan.FromSeconds(1));

        sent.Should().HaveCount(2, "the ack timed out on the fake clock and the edit was resent");
        client.TryGetDelivery(edit.Id, out var delivery).Should().BeTrue();
        delivery!.LastSentAt.Should().Be(time.GetUtcNow());
    }

    [Fact]
    public async Task Ledger_Expiry_IsMeasuredOnTheOptionsTimeProvider()
    {
        var time = new FakeTimeProvider();
        var ledger = new InMemoryEditLedger<string>(new InMemoryEditLedgerOptions { Expiry = TimeSpan.FromMinutes(1), TimeProvider = time });
        var id = EditId.New();
        (await ledger.ClaimAsync(id, 1, "x", default)).IsOwner.Should().BeTrue();
        await ledger.CompleteAsync(id, 1, EditOutcome.Accepted, default);

        time.Advance(TimeSpan.FromSeconds(59));
        ledger.Count.Should().Be(1);
        time.Advance(TimeSpan.FromSeconds(1));

        ledger.Count.Should().Be(0, "the entry expired on the fake clock");
    }

    [Fact]
    public void LedgerOptions_NullTimeProvider_Throws()
    {
        var create = () => new InMemoryEditLedger<string>(new InMemoryEditLedgerOptions { TimeProvider = null! });

        create.Should().Throw<ArgumentNullException>();
    }
}
