using Reactive.Edits.Testing;

namespace Reactive.Edits.Testing.Tests;

/// <summary>The recorder: lifecycle events in order, stamped with virtual time, with the Rx contract checked.</summary>
public sealed class EditRecorderTests
{
    private readonly TestClock _clock = new();

    [Fact]
    public void Events_AreStampedWithTheVirtualTimeTheyHappenedAt()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var recorder = new EditRecorder<string>(edits, _clock);
        _clock.AdvanceBy(TimeSpan.FromSeconds(1));
        var (token, _) = edits.Request("hi");
        _clock.AdvanceBy(TimeSpan.FromSeconds(2));

        token.Accept();

        recorder.Events.Select(e => (e.Event.Kind, e.Time)).Should().Equal(
            (EditEventKind.Requested, TestClock.Epoch.AddSeconds(1)),
            (EditEventKind.Started, TestClock.Epoch.AddSeconds(1)),
            (EditEventKind.Accepted, TestClock.Epoch.AddSeconds(3)));
    }

    [Fact]
    public void Kinds_InterleavedEdits_AreInTheOrderTheyHappened()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var recorder = new EditRecorder<string>(edits);
        var a = edits.Request("a");
        var b = edits.Request("b");

        b.Token.Reject(new InvalidOperationException("no"));
        a.Token.Accept();

        recorder.Events.Select(e => (e.Event.Kind, e.Event.Edit.Id)).Should().Equal(
            (EditEventKind.Requested, a.Id),
            (EditEventKind.Started, a.Id),
            (EditEventKind.Requested, b.Id),
            (EditEventKind.Started, b.Id),
            (EditEventKind.Rejected, b.Id),
            (EditEventKind.Accepted, a.Id));
    }

    [Fact]
    public void KindsOf_ReturnsOnlyThatEditsEvents()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var recorder = new EditRecorder<string>(edits);
        var a = edits.Request("a");
        var b = edits.Request("b");
        b.Token.Cancel();

        recorder.KindsOf(a.Id).Should().Equal(EditEventKind.Requested, EditEventKind.Started);
        recorder.KindsOf(b.Id).Should().Equal(EditEventKind.Requested, EditEventKind.Started, EditEventKind.Cancelled);
        recorder.KindsOf(EditId.New()).Should().BeEmpty();
    }

    [Fact]
    public void Events_ReturnsASnapshotThatLaterEventsDoNotChange()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var recorder = new EditRecorder<string>(edits);
        var edit = edits.Request("a");
        var before = recorder.Events;

        edit.Token.Accept();

        before.Should().HaveCount(2);
        recorder.Events.Should().HaveCount(3);
    }

    [Fact]
    public void Constructor_WithoutAClock_StampsWithTheSetsScheduler()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var recorder = new EditRecorder<string>(edits);
        _clock.AdvanceBy(TimeSpan.FromMinutes(1));

        edits.Request("a");

        recorder.Events.Should().OnlyContain(e => e.Time == TestClock.Epoch.AddMinutes(1));
    }

    [Fact]
    public void Constructor_WithAnotherClock_StampsWithThatClock()
    {
        var other = new TestClock();
        other.AdvanceBy(TimeSpan.FromHours(1));
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var recorder = new EditRecorder<string>(edits, other);

        edits.Request("a");

        recorder.Events.Should().OnlyContain(e => e.Time == TestClock.Epoch.AddHours(1));
    }

    [Fact]
    public void IsCompleted_AfterTheSetIsDisposed_IsTrueAndTheCancellationsCameFirst()
    {
        var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        using var recorder = new EditRecorder<string>(edits);
        var pending = edits.Request("a");
        recorder.IsCompleted.Should().BeFalse();

        edits.Dispose();

        recorder.IsCompleted.Should().BeTrue();
        recorder.KindsOf(pending.Id)[^1].Should().Be(EditEventKind.Cancelled);
        recorder.Violations.Should().BeEmpty();
    }

    [Fact]
    public void Dispose_StopsRecording()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var recorder = new EditRecorder<string>(edits);
        var edit = edits.Request("a");

        recorder.Dispose();
        edit.Token.Accept();

        recorder.Kinds.Should().Equal(EditEventKind.Requested, EditEventKind.Started);
    }

    [Fact]
    public async Task Violations_TokensSpentFromManyThreads_StaysEmptyAndEveryEventIsRecorded()
    {
        const int Count = 200;
        using var edits = new EditSet<int>(EditSetOptions.Default, _clock);
        using var recorder = new EditRecorder<int>(edits);
        var requested = Enumerable.Range(0, Count).Select(i => edits.Request(i)).ToList();

        await Task.WhenAll(requested.Select(e => Task.Run(() => e.Token.Accept())));

        recorder.Violations.Should().BeEmpty();
        recorder.Kinds.Count(k => k == EditEventKind.Accepted).Should().Be(Count);
    }

    [Fact]
    public void Constructor_NullArguments_ThrowArgumentNull()
    {
        using var edits = new EditSet<string>(EditSetOptions.Default, _clock);

        FluentActions.Invoking(() => new EditRecorder<string>(null!, _clock)).Should().Throw<ArgumentNullException>().WithParameterName("edits");
        FluentActions.Invoking(() => new EditRecorder<string>(edits, null!)).Should().Throw<ArgumentNullException>().WithParameterName("clock");
        FluentActions.Invoking(() => new EditRecorder<string>(null!)).Should().Throw<ArgumentNullException>().WithParameterName("edits");
    }
}
