namespace Reactive.Edits;

/// <summary>Represents the one-shot capability to say how one attempt of an edit ended.</summary>
/// <remarks>
/// <para>
/// Each attempt of an edit has its own token; a retry issues a new one. The first spend wins: once one of
/// <see cref="Accept"/>, <see cref="Reject(Exception)"/> or <see cref="Cancel"/> has succeeded — or the edit set has
/// cancelled or superseded the attempt — every later spend of this token returns <see langword="false"/> and changes
/// nothing. A token of an earlier attempt is always spent, so it can never settle a newer attempt.
/// </para>
/// <para>Tokens are safe to spend from any thread. They are local capabilities: send the <see cref="EditId"/> over a wire, never the token.</para>
/// </remarks>
public sealed class EditToken
{
    // One word for both flags rather than an int each: a token is allocated per attempt, and the second int made it
    // 64 bytes where it is now 56.
    private const int Spent = 1;
    private const int CancellationRequested = 2;

    private readonly IEditTokenOwner _owner;
    private int _state;
    private CancellationTokenSource? _cancellation;

    internal EditToken(IEditTokenOwner owner, EditId editId, int attempt)
    {
        _owner = owner;
        EditId = editId;
        Attempt = attempt;
    }

    /// <summary>Gets the id of the edit this token belongs to.</summary>
    public EditId EditId { get; }

    /// <summary>Gets the number of the attempt this token belongs to: 1 for the first, 2 after the first retry, and so on.</summary>
    public int Attempt { get; }

    /// <summary>Gets a value indicating whether the token has been spent (by anyone, for any outcome).</summary>
    public bool IsSpent => (Volatile.Read(ref _state) & Spent) != 0;

    /// <summary>Gets a cancellation token that fires when this attempt is cancelled or superseded, or its edit set is disposed.</summary>
    /// <remarks>Pass it to the work that commits the edit, so that abandoned attempts stop early.</remarks>
    public CancellationToken CancellationToken
    {
        get
        {
            var source = Volatile.Read(ref _cancellation);
            if (source is null)
            {
                var created = new CancellationTokenSource();
                source = Interlocked.CompareExchange(ref _cancellation, created, null) ?? created;
                if ((Volatile.Read(ref _state) & CancellationRequested) != 0)
                {
                    source.Cancel();
                }
            }

            return source.Token;
        }
    }

    /// <summary>Settles the attempt as accepted; the edit leaves the edit set.</summary>
    /// <returns><see langword="true"/> if this call spent the token; <see langword="false"/> if it was already spent.</returns>
    public bool Accept() => TrySpend() && _owner.Settle(this, EditStatus.Accepted, null);

    /// <summary>Settles the attempt as rejected; the edit stays in the set, failed, with its value and <paramref name="error"/>.</summary>
    /// <param name="error">Why the edit was rejected; it travels back to whoever shows the edit.</param>
    /// <returns><see langword="true"/> if this call spent the token; <see langword="false"/> if it was already spent.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is <see langword="null"/>.</exception>
    public bool Reject(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return TrySpend() && _owner.Settle(this, EditStatus.Rejected, error);
    }

    /// <summary>Settles the attempt as cancelled; the edit leaves the edit set.</summary>
    /// <returns><see langword="true"/> if this call spent the token; <see langword="false"/> if it was already spent.</returns>
    public bool Cancel()
    {
        if (!TrySpend())
        {
            return false;
        }

        RequestCancellation();
        return _owner.Settle(this, EditStatus.Cancelled, null);
    }

    /// <summary>Returns the edit id and attempt, for diagnostics.</summary>
    /// <returns>A text such as <c>3f2a…#2</c>.</returns>
    public override string ToString() => $"{EditId}#{Attempt}";

    // The one compare-and-swap that makes the first spend win, whoever spends: the user, a committer, or the set itself.
    // The loop only repeats when a cancellation request set its flag between the read and the swap.
    internal bool TrySpend()
    {
        var state = Volatile.Read(ref _state);
        while ((state & Spent) == 0)
        {
            var seen = Interlocked.CompareExchange(ref _state, state | Spent, state);
            if (seen == state)
            {
                return true;
            }

            state = seen;
        }

        return false;
    }

    internal void RequestCancellation()
    {
        Interlocked.Or(ref _state, CancellationRequested);
        Volatile.Read(ref _cancellation)?.Cancel();
    }
}
