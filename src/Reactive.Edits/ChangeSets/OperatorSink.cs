using System.Diagnostics.CodeAnalysis;

namespace Reactive.Edits.ChangeSets;

/// <summary>Runs one subscription of a change-set operator: turns each input into at most one output.</summary>
/// <typeparam name="TSource">The type of the input notifications.</typeparam>
/// <typeparam name="TResult">The type of the output notifications.</typeparam>
/// <remarks>
/// The input follows the Rx grammar (serialized, nothing after a terminal notification), so a sink needs no lock. An
/// exception from user code (a selector, a predicate, a comparer, a bound list) ends the subscription with
/// <c>OnError</c>; an exception thrown by the downstream observer is not caught (that is the observer's contract breach).
/// </remarks>
internal abstract class OperatorSink<TSource, TResult>(IObserver<TResult> downstream) : IObserver<TSource>
{
    private bool _stopped;

    public void OnNext(TSource value)
    {
        if (_stopped)
        {
            return;
        }

        TResult? result;
        bool emit;
        try
        {
            emit = TryProcess(value, out result);
        }
        catch (Exception error)
        {
            OnError(error);
            return;
        }

        if (emit)
        {
            downstream.OnNext(result!);
        }
    }

    public void OnError(Exception error)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        downstream.OnError(error);
    }

    public void OnCompleted()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        downstream.OnCompleted();
    }

    /// <summary>Applies one input; returns <see langword="false"/> when there is nothing to emit.</summary>
    protected abstract bool TryProcess(TSource value, [MaybeNullWhen(false)] out TResult result);
}
