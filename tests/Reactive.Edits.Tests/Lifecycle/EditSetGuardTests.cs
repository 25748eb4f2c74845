using System.Reactive.Concurrency;
using Reactive.Edits.ChangeSets;
using Reactive.Edits.Testing;
using Reactive.Edits.Tests.Support;

namespace Reactive.Edits.Tests.Lifecycle;

/// <summary>Argument validation and disposal: bad input is refused clearly, and disposing cancels rather than drops.</summary>
public sealed class EditSetGuardTests
{
    private readonly TestClock _clock = new();

    [Fact]
    public void Constructor_NullOptions_ThrowsArgumentNull()
    {
        var act = () => new EditSet<string>(null!, _clock);

        act.Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    [Fact]
    public void Constructor_NullOptionsWithoutScheduler_ThrowsArgumentNull()
    {
        var act = () => new EditSet<string>(null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    [Fact]
    public void Constructor_OptionsWithNullPolicy_ThrowsArgumentNull()
    {
        var act = () => new EditSet<string>(new EditSetOptions { Policy = null! }, _clock);

        act.Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    [Fact]
    public void Constructor_NullScheduler_ThrowsArgumentNull()
    {
        var act = () => new EditSet<string>(EditSetOptions.Default, (IScheduler)null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("scheduler");
    }

    [Fact]
    public void Constructor_Defaults_AreConcurrentOnTheDefaultScheduler()
    {
        using var edits = new EditSet<string>();

        edits.Policy.Should().BeSameAs(EditPolicy.Concurrent);
        edits.Scheduler.Should().BeSameAs(Scheduler.Default);
    }

    [Fact]
    public void Operations_AfterDispose_ThrowObjectDisposed()
    {
        var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var rejected = edits.Request("hello");
        rejected.Token.Reject(new InvalidOperationException("no"));
        edits.Dispose();

        edits.Invoking(e => e.Request("x")).Should().Throw<ObjectDisposedException>();
        edits.Invoking(e => e.TryRequest("x", out _)).Should().Throw<ObjectDisposedException>();
        edits.Invoking(e => e.Retry(rejected.Id)).Should().Throw<ObjectDisposedException>();
        edits.Invoking(e => e.Retry(rejected.Id, "y")).Should().Throw<ObjectDisposedException>();
        edits.Invoking(e => e.Discard(rejected.Id)).Should().Throw<ObjectDisposedException>();
        edits.Invoking(e => e.Cancel(rejected.Id)).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void Operations_AfterDispose_ThrowObjectDisposedNamingThePublicEditSetType()
    {
        var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var rejected = edits.Request("hello");
        rejected.Token.Reject(new InvalidOperationException("no"));
        edits.Dispose();
        var expected = typeof(EditSet<string>).FullName;

        Action[] operations =
        [
            () => edits.Request("x"),
            () => edits.TryRequest("x", out _),
            () => edits.Retry(rejected.Id),
            () => edits.Retry(rejected.Id, "y"),
            () => edits.Discard(rejected.Id),
            () => edits.Cancel(rejected.Id),
        ];

        foreach (var operation in operations)
        {
            var error = operation.Should().Throw<ObjectDisposedException>().Which;
            error.ObjectName.Should().Be(expected);
            error.Message.Should().Contain("EditSet`1").And.NotContain("KeyedSource");
        }
    }

    [Fact]
    public void Dispose_PendingEdits_RemovesThemAsCancelledThenCompletes()
    {
        var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        var pending = edits.Request("pending");
        var cancellation = pending.Token.CancellationToken;
        var rejected = edits.Request("rejected");
        rejected.Token.Reject(new InvalidOperationException("no"));
        using var changes = edits.Connect().Record();
        using var busy = edits.IsBusy.Record();

        edits.Dispose();

        changes.Values.Rows().Should().Equal(
            (ChangeReason.Add, EditStatus.Pending, pending.Id),
            (ChangeReason.Add, EditStatus.Rejected, rejected.Id),
            (ChangeReason.Remove, EditStatus.Cancelled, pending.Id));
        changes.IsCompleted.Should().BeTrue();
        busy.Values.Should().Equal(true, false);
        busy.IsCompleted.Should().BeTrue();
        cancellation.IsCancellationRequested.Should().BeTrue();
        pending.Token.Accept().Should().BeFalse();
    }

    [Fact]
    public void Dispose_Twice_DoesNotThrow()
    {
        var edits = new EditSet<string>(EditSetOptions.Default, _clock);
        edits.Dispose();

        edits.Invoking(e => e.Dispose()).Should().NotThrow();
    }
}
