using Reactive.Edits.Testing;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Tests.Policies;

public sealed class LatestWinsPolicyTests
{
    private readonly TestClock _clock = new();
    private readonly EditSetOptions _options = new() { Policy = EditPolicy.LatestWins };

    [Fact]
    public void Request_WhileOneIsPending_SupersedesItAndStartsAtOnce()
    {
        using var edits = new EditSet<string>(_options, _clock);
        using var recorder = new EditRecorder<string>(edits);
        var first = edits.Request("a");

        var second = edits.Request("b");

        second.IsStarted.Should().BeTrue();
        recorder.KindsOf(first.Id).Should().Equal(EditEventKind.Requested, EditEventKind.Started, EditEventKind.Superseded);
        edits.Items.Should().ContainSingle().Which.Id.Should().Be(second.Id);
    }

    [Fact]
    public void Request_WhileOneIsPending_CancelsThePreviousAttemptsCancellationToken()
    {
        using var edits = new EditSet<string>(_options, _clock);
        var first = edits.Request("a");
        var firstCancellation = first.Token.CancellationToken;

        var second = edits.Request("b");

        firstCancellation.IsCancellationRequested.Should().BeTrue();
        second.Token.CancellationToken.IsCancellationRequested.Should().BeFalse();
    }

    [Fact]
    public void SupersededToken_SpentLate_ReturnsFalseAndDoesNotTouchTheLatest()
    {
        using var edits = new EditSet<string>(_options, _clock);
        var first = edits.Request("a");
        var second = edits.Request("b");

        first.Token.Accept().Should().BeFalse();
        first.Token.Reject(new InvalidOperationException("late")).Should().BeFalse();

        edits.Items.Should().ContainSingle().Which.Should().BeSameAs(second);
    }

    [Fact]
    public void Request_AfterARejection_DoesNotSupersedeTheRejectedEdit()
    {
        using var edits = new EditSet<string>(_options, _clock);
        var rejected = edits.Request("a");
        rejected.Token.Reject(new InvalidOperationException("no"));

        edits.Request("b");

        edits.TryGetEdit(rejected.Id, out var current).Should().BeTrue();
        current!.Status.Should().Be(EditStatus.Rejected);
    }

    [Fact]
    public void Retry_WhileAnotherIsPending_SupersedesThePendingOne()
    {
        using var edits = new EditSet<string>(_options, _clock);
        var rejected = edits.Request("a");
        rejected.Token.Reject(new InvalidOperationException("no"));
        var pending = edits.Request("b");

        edits.Retry(rejected.Id).Should().BeTrue();

        pending.Token.CancellationToken.IsCancellationRequested.Should().BeTrue();
        edits.Items.Should().ContainSingle().Which.Id.Should().Be(rejected.Id);
    }
}
