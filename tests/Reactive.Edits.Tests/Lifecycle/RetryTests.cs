using Reactive.Edits.ChangeSets;
using Reactive.Edits.Testing;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Tests.Lifecycle;

/// <summary>DESIGN §2: retry keeps the identity, issues a new attempt and token, and is only for rejected edits.</summary>
public sealed class RetryTests : IDisposable
{
    private readonly TestClock _clock = new();
    private readonly EditSet<string> _edits;

    public RetryTests()
    {
        _edits = new EditSet<string>(EditSetOptions.Default, _clock);
    }

    public void Dispose() => _edits.Dispose();

    [Fact]
    public void Retry_RejectedEdit_KeepsTheEditIdAndIssuesANewToken()
    {
        var edit = _edits.Request("hello");
        edit.Token.Reject(new InvalidOperationException("offline"));

        _edits.Retry(edit.Id).Should().BeTrue();

        _edits.TryGetEdit(edit.Id, out var retried).Should().BeTrue();
        retried!.Id.Should().Be(edit.Id);
        retried.Token.Should().NotBeSameAs(edit.Token);
        retried.Token.EditId.Should().Be(edit.Id);
        retried.Token.IsSpent.Should().BeFalse();
        retried.Attempt.Should().Be(2);
        retried.Status.Should().Be(EditStatus.Pending);
        retried.Error.Should().BeNull();
        retried.Value.Should().Be("hello");
        retried.IsStarted.Should().BeTrue();
    }

    [Fact]
    public void Retry_WithAValue_RequestsTheCorrectedValueUnderTheSameId()
    {
        var edit = _edits.Request("helo");
        edit.Token.Reject(new InvalidOperationException("typo"));

        _edits.Retry(edit.Id, "hello").Should().BeTrue();

        _edits.TryGetEdit(edit.Id, out var retried).Should().BeTrue();
        retried!.Value.Should().Be("hello");
        retried.Attempt.Should().Be(2);
    }

    [Fact]
    public void TryRetry_RejectedEdit_ReturnsTheNewAttemptThatIsInTheSet()
    {
        var edit = _edits.Request("hello");
        edit.Token.Reject(new InvalidOperationException("offline"));

        _edits.TryRetry(edit.Id, out var retried).Should().BeTrue();

        retried!.Id.Should().Be(edit.Id);
        retried.Attempt.Should().Be(2);
        retried.Status.Should().Be(EditStatus.Pending);
        retried.Token.Should().NotBeSameAs(edit.Token);
        _edits.TryGetEdit(edit.Id, out var inTheSet).Should().BeTrue();
        inTheSet.Should().BeSameAs(retried);
        retried.Token.Accept().Should().BeTrue();
        _edits.Items.Should().BeEmpty();
    }

    [Fact]
    public void TryRetry_WithAValue_ReturnsTheAttemptWithTheCorrectedValue()
    {
        var edit = _edits.Request("helo");
        edit.Token.Reject(new InvalidOperationException("typo"));

        _edits.TryRetry(edit.Id, "hello", out var retried).Should().BeTrue();

        retried!.Value.Should().Be("hello");
        retried.Attempt.Should().Be(2);
    }

    [Fact]
    public void TryRetry_PendingOrUnknownEdit_ReturnsFalseAndNoEdit()
    {
        var pending = _edits.Request("hello");

        _edits.TryRetry(pending.Id, out var retried).Should().BeFalse();
        retried.Should().BeNull();
        _edits.TryRetry(EditId.New(), "value", out retried).Should().BeFalse();
        retried.Should().BeNull();
    }

    [Fact]
    public void Retry_KeepsSequenceAndRequestTime_AndRestampsTheAttempt()
    {
        var edit = _edits.Request("hello");
        _clock.AdvanceBy(TimeSpan.FromSeconds(2));
        edit.Token.Reject(new InvalidOperationException("offline"));
        _clock.AdvanceBy(TimeSpan.FromSeconds(3));

        _edits.Retry(edit.Id);

        _edits.TryGetEdit(edit.Id, out var retried).Should().BeTrue();
        retried!.Sequence.Should().Be(edit.Sequence);
        retried.RequestedAt.Should().Be(TestClock.Epoch);
        retried.AttemptRequestedAt.Should().Be(TestClock.Epoch.AddSeconds(5));
    }

    [Fact]
    public void Retry_Repeatedly_NumbersEachAttempt()
    {
        var edit = _edits.Request("hello");
        var tokens = new List<EditToken> { edit.Token };
        for (var i = 0; i < 3; i++)
        {
            tokens[^1].Reject(new InvalidOperationException($"fail {i}"));
            _edits.Retry(edit.Id).Should().BeTrue();
            _edits.TryGetEdit(edit.Id, out var current).Should().BeTrue();
            tokens.Add(current!.Token);
        }

        tokens.Select(t => t.Attempt).Should().Equal(1, 2, 3, 4);
        tokens.Take(3).Should().OnlyContain(t => t.IsSpent);
        tokens[^1].IsSpent.Should().BeFalse();
    }

    [Fact]
    public void Retry_PendingEdit_ReturnsFalseAndKeepsTheAttempt()
    {
        var edit = _edits.Request("hello");

        _edits.Retry(edit.Id).Should().BeFalse();

        _edits.TryGetEdit(edit.Id, out var current).Should().BeTrue();
        current!.Token.Should().BeSameAs(edit.Token);
        current.Attempt.Should().Be(1);
    }

    [Fact]
    public void Retry_UnknownId_ReturnsFalse()
    {
        _edits.Retry(EditId.New()).Should().BeFalse();
        _edits.Retry(EditId.New(), "value").Should().BeFalse();

        _edits.Items.Should().BeEmpty();
    }

    [Fact]
    public void Retry_AcceptedEdit_ReturnsFalse()
    {
        var edit = _edits.Request("hello");
        edit.Token.Accept();

        _edits.Retry(edit.Id).Should().BeFalse();

        _edits.Items.Should().BeEmpty();
    }

    [Fact]
    public void Retry_RejectedEdit_EmitsAnUpdateFromRejectedToPending()
    {
        var edit = _edits.Request("hello");
        edit.Token.Reject(new InvalidOperationException("offline"));
        using var changes = _edits.Connect().Record();

        _edits.Retry(edit.Id);

        var change = changes.Values[^1].Should().ContainSingle().Subject;
        change.Reason.Should().Be(ChangeReason.Update);
        change.Previous!.Status.Should().Be(EditStatus.Rejected);
        change.Current.Status.Should().Be(EditStatus.Pending);
        change.Current.Attempt.Should().Be(2);
    }
}
