using Reactive.Edits.ChangeSets;
using Reactive.Edits.Testing;

namespace Reactive.Edits.Tests.Support;

/// <summary>An edit set on a virtual clock with its change stream recorded from the start; disposal checks the Rx contract.</summary>
public sealed class RecordedEditSet : IDisposable
{
    public RecordedEditSet(EditPolicy? policy = null)
    {
        Edits = new EditSet<string>(new EditSetOptions { Policy = policy ?? EditPolicy.Concurrent }, Clock);
        Changes = Edits.Connect().Record();
    }

    public TestClock Clock { get; } = new();

    public EditSet<string> Edits { get; }

    public ObservableRecorder<IChangeSet<Edit<string>, EditId>> Changes { get; }

    public void Dispose()
    {
        Changes.Dispose();
        Edits.Dispose();
        Changes.Violations.Should().BeEmpty();
    }
}
