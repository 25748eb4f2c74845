using System.Reactive;
using System.Reactive.Threading.Tasks;

namespace ChatServer.Tests.Faults;

/// <summary>Awaits a condition that is checked again on every notification of what can make it true: a completion
/// signal, not a polling clock. The timeout only guards against a hang.</summary>
public static class Eventually
{
    public static async Task HoldsAsync(Func<bool> condition, string what, IObservable<Unit> recheckOn, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var holds = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Subscribed before the first check, so that a change between the check and the subscription is not missed.
        using var subscription = recheckOn.Subscribe(_ =>
        {
            if (condition())
            {
                holds.TrySetResult();
            }
        });
        if (condition())
        {
            return;
        }
        try
        {
            await holds.Task.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Still not true after {limit.TotalSeconds:0} s: {what}.");
        }
    }

    /// <summary>A signal for <see cref="HoldsAsync"/> from a task's completion.</summary>
    public static IObservable<Unit> Completion(Task task) =>
        task.ContinueWith(static _ => Unit.Default, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ToObservable();
}
