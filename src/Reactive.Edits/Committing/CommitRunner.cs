using System.Reactive.Concurrency;
using System.Reactive.Disposables;

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

        var attempt = new Attempt(token, CancellationTokenSource.CreateLinkedTokenSource(token.CancellationToken, _lifetime.Token));
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
            task.ContinueWith(static (completed, state) => ((Attempt)state!).Complete(completed), attempt, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private sealed class Attempt(EditToken token, CancellationTokenSource cancellation)
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

        private static Exception Unwrap(AggregateException error) =>
            error.InnerExceptions.Count == 1 ? error.InnerExceptions[0] : error;

        private void Finish()
        {
            Timer?.Dispose();
            Cancellation.Dispose();
        }
    }
}
