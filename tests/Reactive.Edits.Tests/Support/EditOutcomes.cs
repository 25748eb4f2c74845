using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;

namespace Reactive.Edits.Tests.Support;

/// <summary>Awaits how an edit's current attempt ends, for tests whose outcome may arrive on another thread.</summary>
public static class EditOutcomes
{
    /// <summary>A failure guard only: a correct run settles at once, a broken one fails after this instead of hanging.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    /// <summary>Subscribes now (call it before triggering the outcome) and completes with the next settling event of the edit.</summary>
    public static Task<EditEvent<T>> NextOutcome<T>(this EditSet<T> edits, EditId id) =>
        edits.Events
            .FirstAsync(e => e.Edit.Id == id && e.Kind is not (EditEventKind.Requested or EditEventKind.Started or EditEventKind.Retried))
            .ToTask()
            .WaitAsync(Guard);
}
