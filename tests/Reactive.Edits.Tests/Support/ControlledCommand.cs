namespace Reactive.Edits.Tests.Support;

/// <summary>A commit command whose calls the test finishes by hand, so a committer can be driven step by step.</summary>
/// <remarks>
/// Each call returns the task of its own <see cref="TaskCompletionSource"/>, created without
/// <c>RunContinuationsAsynchronously</c> so that finishing it runs the committer's continuation inline, on the test's
/// thread: the outcome is visible as soon as the finishing call returns. The call's cancellation token cancels its task,
/// as real work honouring the token would.
/// </remarks>
public sealed class ControlledCommand<T>
{
    private readonly List<Call> _calls = [];

    public IReadOnlyList<Call> Calls => _calls;

    public Call Last => _calls[^1];

    public Task Invoke(T value, EditId id, CancellationToken cancellationToken)
    {
        var call = new Call(value, id, cancellationToken);
        _calls.Add(call);
        return call.Task;
    }

    public sealed class Call
    {
        private readonly TaskCompletionSource _completion = new();

        public Call(T value, EditId id, CancellationToken cancellationToken)
        {
            Value = value;
            Id = id;
            CancellationToken = cancellationToken;
            cancellationToken.Register(static state => ((TaskCompletionSource)state!).TrySetCanceled(), _completion);
        }

        public T Value { get; }

        public EditId Id { get; }

        public CancellationToken CancellationToken { get; }

        public Task Task => _completion.Task;

        public void Succeed() => _completion.SetResult();

        public void Fail(Exception error) => _completion.SetException(error);

        public void CancelWork() => _completion.SetCanceled();
    }
}
