using FluentAssertions;
using Reactive.Edits;
using Reactive.Edits.Testing;
using Xunit;

namespace Reactive.Edits.Examples.Tests;

// The test class of README.md's "Testing your edits" and of src/Reactive.Edits.Testing/PACKAGE.md, verbatim
// (ReadmeTests checks it): a user's own test of an edit lifecycle in virtual time, run here as it is.
public class ChatInputTests
{
    [Fact]
    public void Send_ServerNeverAnswers_TimesOutAfterTenSeconds()
    {
        var clock = new TestClock();
        using var edits = new EditSet<string>(EditSetOptions.Default, clock);
        using var recorder = new EditRecorder<string>(edits);
        var server = new TaskCompletionSource();       // never answers
        using var committer = edits.Commit((text, id, ct) => server.Task.WaitAsync(ct), new CommitOptions { Timeout = TimeSpan.FromSeconds(10) });

        var edit = edits.Request("hello");
        clock.AdvanceBy(TimeSpan.FromSeconds(9));
        recorder.KindsOf(edit.Id).Should().Equal(EditEventKind.Requested, EditEventKind.Started);

        clock.AdvanceBy(TimeSpan.FromSeconds(1));
        recorder.KindsOf(edit.Id).Should().Equal(EditEventKind.Requested, EditEventKind.Started, EditEventKind.Rejected);
        recorder.Events[^1].Time.Should().Be(TestClock.Epoch + TimeSpan.FromSeconds(10));
        edits.Items.Single().Error.Should().BeOfType<EditTimeoutException>();
        recorder.Violations.Should().BeEmpty();
    }
}
