using System.Reactive.Concurrency;

namespace Reactive.Edits;

/// <summary>Says how <see cref="EditCommitExtensions"/> runs a command per attempt: how long an attempt is given, and on which clock.</summary>
/// <example>
/// <code>
/// using var committer = edits.Commit(SendAsync, new CommitOptions { Timeout = TimeSpan.FromSeconds(10) });
/// </code>
/// </example>
public sealed class CommitOptions
{
    /// <summary>Gets the options with no timeout.</summary>
    public static CommitOptions Default { get; } = new();

    /// <summary>Gets the time each attempt is given; an attempt still running then is rejected with an <see cref="EditTimeoutException"/> and its command's cancellation token fires.</summary>
    /// <value>The default (<see langword="null"/>) is no timeout. When set, it must be positive.</value>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Gets the scheduler that measures <see cref="Timeout"/>; a virtual-time scheduler in tests.</summary>
    /// <value>The default (<see langword="null"/>) is <see cref="TimeProvider"/> when that is set, else <see cref="EditSet{T}.Scheduler"/>.</value>
    public IScheduler? Scheduler { get; init; }

    /// <summary>Gets the clock that measures <see cref="Timeout"/>, for apps that keep time with a <see cref="System.TimeProvider"/> (a <c>FakeTimeProvider</c> in tests).</summary>
    /// <value>The default (<see langword="null"/>) is <see cref="Scheduler"/> when that is set, else <see cref="EditSet{T}.Scheduler"/>. Set at most one of the two.</value>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>Checks the options and returns the scheduler that measures the timeout.</summary>
    internal IScheduler ResolveScheduler(IScheduler setScheduler)
    {
        if (Timeout is { } timeout)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero, "options.Timeout");
        }

        if (Scheduler is not null && TimeProvider is not null)
        {
            throw new ArgumentException("Set either Scheduler or TimeProvider, not both.", "options");
        }

        return Scheduler ?? (TimeProvider is { } timeProvider ? TimeProviderScheduler.From(timeProvider) : setScheduler);
    }
}
