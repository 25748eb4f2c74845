using System.Reactive;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;

namespace Reactive.Edits;

/// <summary>Runs a user command for every started attempt of an <see cref="EditSet{T}"/> and spends its token from the outcome.</summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>command outcome</term><description>token spent as</description></listheader>
/// <item><term>completes</term><description><see cref="EditToken.Accept"/></description></item>
/// <item><term>throws or faults</term><description><see cref="EditToken.Reject(Exception)"/> with the exception</description></item>
/// <item><term>runs past the timeout</term><description><see cref="EditToken.Reject(Exception)"/> with an <see cref="EditTimeoutException"/>; the command's cancellation token fires</description></item>
/// <item><term>cancelled (the command's token fired, or it threw <see cref="OperationCanceledException"/>)</term><description><see cref="EditToken.Cancel"/>, unless the token was already spent (superseded, cancelled, timed out)</description></item>
/// <item><term>committer disposed</term><description>every running command's cancellation token fires; they end as cancelled</description></item>
/// </list>
/// <para>The first spend wins, so a command that completes after its attempt timed out or was superseded changes nothing.</para>
/// <para>
/// Spending the token notifies the observers of the edit set (<see cref="EditSet{T}.Connect()"/>, its events and
/// counts) on the thread that spends it. An observer that throws breaks the Rx contract; as in Rx, its exception goes
/// to whoever caused the notification:
/// </para>
/// <list type="table">
/// <listheader><term>the token is spent when</term><description>an observer's exception surfaces</description></listheader>
/// <item><term>the command throws or returns a completed task</term><description>from the call that started the attempt (<see cref="EditSet{T}.Request(T)"/>, <see cref="EditSet{T}.Retry(EditId)"/>, the spend that let a waiting edit start), or from <c>Commit</c> for an attempt picked up when it attaches</description></item>
/// <item><term>the command's task completes later</term><description>rethrown, with its original stack trace, on the committer's scheduler (<see cref="CommitOptions.Scheduler"/> or <see cref="CommitOptions.TimeProvider"/> when one is given, otherwise <see cref="EditSet{T}.Scheduler"/>), as an exception of a scheduled action; on <see cref="Scheduler.Default"/> that is an unhandled exception, and in virtual time it is thrown by the call that advances the clock; a scheduler that runs work inline (<see cref="Scheduler.Immediate"/>) leaves it to the thread pool, as an unhandled exception. It is never left in an unobserved faulted task.</description></item>
/// <item><term>the timeout fires</term><description>on the committer's scheduler, from the timeout's scheduled action</description></item>
/// </list>
/// </remarks>
public static class EditCommitExtensions
{
    /// <summary>Commits every started attempt with <paramref name="command"/>, with no timeout.</summary>
    /// <typeparam name="T">The type of the requested values.</typeparam>
    /// <param name="edits">The edit set.</param>
    /// <param name="command">Does the work for one attempt: given the value, the edit id (the idempotency key) and a cancellation token.</param>
    /// <returns>A handle that stops committing, and cancels the running commands, when disposed.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IDisposable Commit<T>(this EditSet<T> edits, Func<T, EditId, CancellationToken, Task> command) =>
        Commit(edits, command, CommitOptions.Default);

    /// <summary>Commits every started attempt with <paramref name="command"/>, with the timeout and clock of <paramref name="options"/>.</summary>
    /// <typeparam name="T">The type of the requested values.</typeparam>
    /// <param name="edits">The edit set.</param>
    /// <param name="command">Does the work for one attempt: given the value, the edit id (the idempotency key) and a cancellation token.</param>
    /// <param name="options">The timeout, and the scheduler or time provider that measures it.</param>
    /// <returns>A handle that stops committing, and cancels the running commands, when disposed.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="CommitOptions.Timeout"/> is not positive.</exception>
    /// <exception cref="ArgumentException">Both <see cref="CommitOptions.Scheduler"/> and <see cref="CommitOptions.TimeProvider"/> are set.</exception>
    public static IDisposable Commit<T>(this EditSet<T> edits, Func<T, EditId, CancellationToken, Task> command, CommitOptions options)
    {
        ArgumentNullException.ThrowIfNull(edits);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(options);
        var scheduler = options.ResolveScheduler(edits.Scheduler);
        return new CommitRunner<T>(edits, command, options.Timeout, scheduler);
    }

    /// <summary>Commits every started attempt with an observable <paramref name="command"/>, with no timeout.</summary>
    /// <typeparam name="T">The type of the requested values.</typeparam>
    /// <param name="edits">The edit set.</param>
    /// <param name="command">Returns the work for one attempt; subscribing starts it, completion accepts, an error rejects, and unsubscribing cancels it.</param>
    /// <returns>A handle that stops committing, and cancels the running commands, when disposed.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IDisposable Commit<T>(this EditSet<T> edits, Func<T, EditId, IObservable<Unit>> command) =>
        Commit(edits, command, CommitOptions.Default);

    /// <summary>Commits every started attempt with an observable <paramref name="command"/>, with the timeout and clock of <paramref name="options"/>.</summary>
    /// <typeparam name="T">The type of the requested values.</typeparam>
    /// <param name="edits">The edit set.</param>
    /// <param name="command">Returns the work for one attempt; subscribing starts it, completion accepts, an error rejects, and unsubscribing cancels it.</param>
    /// <param name="options">The timeout, and the scheduler or time provider that measures it.</param>
    /// <returns>A handle that stops committing, and cancels the running commands, when disposed.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="CommitOptions.Timeout"/> is not positive.</exception>
    /// <exception cref="ArgumentException">Both <see cref="CommitOptions.Scheduler"/> and <see cref="CommitOptions.TimeProvider"/> are set.</exception>
    public static IDisposable Commit<T>(this EditSet<T> edits, Func<T, EditId, IObservable<Unit>> command, CommitOptions options)
    {
        ArgumentNullException.ThrowIfNull(command);
        return Commit(edits, FromObservable(command), options);
    }

    // Completion of the observable accepts; unsubscribing on cancellation is what ToTask does with its token.
    private static Func<T, EditId, CancellationToken, Task> FromObservable<T>(Func<T, EditId, IObservable<Unit>> command) =>
        (value, id, cancellationToken) => command(value, id).DefaultIfEmpty().ToTask(cancellationToken);
}
