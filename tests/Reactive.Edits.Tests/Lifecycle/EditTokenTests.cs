using Reactive.Edits.Testing;

namespace Reactive.Edits.Tests.Lifecycle;

public sealed class EditTokenTests
{
    private readonly TestClock _clock = new();

    [Fact]
    public void Accept_FirstSpend_WinsAndLaterSpendsReportFalse()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var (token, _) = edits.Request("hello");

        token.Accept().Should().BeTrue();
        token.Accept().Should().BeFalse();
        token.Reject(new InvalidOperationException("late")).Should().BeFalse();
        token.Cancel().Should().BeFalse();

        token.IsSpent.Should().BeTrue();
        edits.Items.Should().BeEmpty();
    }

    [Fact]
    public void Accept_AfterReject_DoesNotEraseTheError()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var (token, _) = edits.Request("hello");
        var error = new InvalidOperationException("refused");

        token.Reject(error).Should().BeTrue();
        token.Accept().Should().BeFalse();

        edits.Items.Should().ContainSingle().Which.Error.Should().BeSameAs(error);
    }

    [Fact]
    public void Reject_NullError_Throws()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var edit = edits.Request("hello");

        var act = () => edit.Token.Reject(null!);

        act.Should().Throw<ArgumentNullException>();
        edit.Token.IsSpent.Should().BeFalse();
    }

    [Fact]
    public void Deconstruct_GivesTheTokenValuePair()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var edit = edits.Request("hello");

        var (token, value) = edit;

        token.Should().BeSameAs(edit.Token);
        value.Should().Be("hello");
        token.EditId.Should().Be(edit.Id);
        token.Attempt.Should().Be(1);
    }

    [Fact]
    public void StaleToken_AfterRetry_CannotSettleTheNewAttempt()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var first = edits.Request("hello");
        first.Token.Reject(new InvalidOperationException("offline"));
        edits.Retry(first.Id).Should().BeTrue();

        first.Token.Accept().Should().BeFalse();
        first.Token.Reject(new InvalidOperationException("stale")).Should().BeFalse();
        first.Token.Cancel().Should().BeFalse();

        edits.TryGetEdit(first.Id, out var current).Should().BeTrue();
        current!.Status.Should().Be(EditStatus.Pending);
        current.Attempt.Should().Be(2);
    }

    [Fact]
    public void CancellationToken_FiresWhenTheAttemptIsCancelled_EvenIfReadAfterwards()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var early = edits.Request("a");
        var late = edits.Request("b");
        var earlyToken = early.Token.CancellationToken;

        edits.Cancel(early.Id).Should().Be(EditCancellation.AfterStart);
        late.Token.Cancel().Should().BeTrue();

        earlyToken.IsCancellationRequested.Should().BeTrue();
        late.Token.CancellationToken.IsCancellationRequested.Should().BeTrue();
    }

    [Fact]
    public void CancellationToken_DoesNotFireOnAcceptOrReject()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var accepted = edits.Request("a");
        var rejected = edits.Request("b");
        var acceptedCancellation = accepted.Token.CancellationToken;
        var rejectedCancellation = rejected.Token.CancellationToken;

        accepted.Token.Accept();
        rejected.Token.Reject(new InvalidOperationException("no"));

        acceptedCancellation.IsCancellationRequested.Should().BeFalse();
        rejectedCancellation.IsCancellationRequested.Should().BeFalse();
    }
}
