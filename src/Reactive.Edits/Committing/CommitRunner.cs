using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Runtime.ExceptionServices;

namespace Reactive.Edits;

/// <summary>Subscribes to an edit set's started attempts and runs the command of each; see <see cref="EditCommitExtensions"/>.</summary>
internal sealed class CommitRunner<T> : IDisposable
{
    private readonly Func<T, EditId, CancellationToken, Task> _command;
    private readonly TimeSpan? _timeout;
    private readonly IScheduler _scheduler;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly IDisposable _subscription;

    public CommitRunner(EditSet<T> edits, Func<T, EditId, CancellationToken, Task> command, TimeSpan? timeout, IScheduler scheduler)
    {
        _command = command;
        _timeout = timeout;
        _scheduler = scheduler;
        _subscription = edits.Started.Subscribe(Run);
    }

    public void Dispose()
    {
        _subscription.Dispose();
        _lifetime.Cancel();
    }

    private void Run(Edit<T> edit)
    {
        var token = edit.Token;
        if (_lifetime.IsCancellationRequested)
        {
            token.Cancel();
            return;
        }

        var attempt = new Attempt(token, CancellationTokenSource.CreateLinkedTokenSource(token.CancellationToken, _lifetime.Token), _scheduler);
        if (_timeout is { } timeout)
        {
            attempt.Timer = _scheduler.Schedule((Attempt: attempt, Timeout: timeout), timeout, static (_, state) =>
            {
                if (state.Attempt.Token.Reject(new EditTimeoutException(state.Timeout)))
                {
                    state.Attempt.CancelWork();
                }

                return Disposable.Empty;
            });
        }

        Task task;
        try
        {
            task = _command(edit.Value, edit.Id, attempt.Cancellation.Token) ?? throw new InvalidOperationException("The commit command returned a null task.");
        }
        catch (Exception ex)
        {
            attempt.Complete(ex);
            return;
        }

        if (task.IsCompleted)
        {
            attempt.Complete(task);
        }
        else
        {
            task.ContinueWith(static (completed, state) => ((Attempt)state!).CompleteLater(completed), attempt, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private sealed class Attempt(EditToken token, CancellationTokenSource cancellation, IScheduler scheduler)
    {
        public EditToken Token { get; } = token;

        public CancellationTokenSource Cancellation { get; } = cancellation;

        public IDisposable? Timer { get; set; }

        public void Complete(Task task)
        {
            if (task.IsCompletedSuccessfully)
            {
                Finish();
                Token.Accept();
            }
            else
            {
                Complete(task.IsCanceled ? new OperationCanceledException() : Unwrap(task.Exception!));
            }
        }

        // Runs in the command task's continuation, which has no caller: an exception thrown while the token is spent
        // (an observer of the set throwing, an Rx contract breach) would fault the continuation and be lost as an
        // UnobservedTaskException. It is rethrown on the committer's scheduler instead, as Rx does with an observer
        // that throws on a scheduler.
        public void CompleteLater(Task task)
        {
            try
            {
                Complete(task);
            }
            catch (Exception error)
            {
                RethrowOnScheduler(error);
            }
        }

        public void Complete(Exception error)
        {
            Finish();
            if (error is OperationCanceledException)
            {
                Token.Cancel();
            }
            else
            {
                Token.Reject(error);
            }
        }

        // The command may finish on another thread while the timeout fires; then there is nothing left to cancel.
        public void CancelWork()
        {
            try
            {
                Cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        private void RethrowOnScheduler(Exception error)
        {
            var captured = ExceptionDispatchInfo.Capture(error);
            try
            {
                scheduler.Schedule(captured, static (_, exception) =>
                {
                    exception.Throw();
                    return Disposable.Empty;
                });
            }
            catch
            {
                // The scheduler ran the work inline (ImmediateScheduler, CurrentThreadScheduler outside a trampoline),
                // which would only fault this continuation again, or could not schedule it: the thread pool rethrows it
                // instead, as an unhandled exception.
                ThreadPool.UnsafeQueueUserWorkItem(static exception => exception.Throw(), captured, preferLocal: false);
            }
        }

        private static Exception Unwrap(AggregateException error) =>
            error.InnerExceptions.Count == 1 ? error.InnerExceptions[0] : error;

        private void Finish()
        {
            Timer?.Dispose();
            Cancellation.Dispose();
        }
    }
}
