namespace ChatServer.Chat;

/// <summary>Counts one connection's bad frames — input a conforming client never sends: malformed or unknown messages,
/// answers, and edits on an anonymous connection — so that a flood of them is cut off instead of each costing an
/// answer and a log line. (A binary frame closes the socket with 1003 at once.)</summary>
/// <remarks>
/// <para>The first <see cref="ChatOptions.MaxBadFrames"/> are answered as usual (an <c>error</c> or a <c>reject</c>);
/// the next one is not, and <see cref="BadFrameBudgetChannel"/> closes the connection with 1008 before reading
/// another frame. (Issue 13: one anonymous socket sent 20,000 bad frames and got 20,000 answers and 20,000 warnings
/// in 2.2 s.) A conforming client that makes a mistake reconnects and gets a fresh budget.</para>
/// <para>Thread safety: every member may be called from any thread.</para>
/// </remarks>
/// <param name="limit">The most bad frames answered.</param>
internal sealed class BadFrameBudget(int limit)
{
    private int _spent;

    /// <summary>Gets the most bad frames answered.</summary>
    public int Limit => limit;

    /// <summary>Gets a value indicating whether more bad frames arrived than the budget allows: the connection is closing.</summary>
    public bool IsExceeded => Volatile.Read(ref _spent) > limit;

    /// <summary>Gets the close reason sent with 1008.</summary>
    public string CloseReason => $"Too many bad frames: at most {limit}.";

    /// <summary>Counts one bad frame.</summary>
    /// <param name="exceededNow">Set to <see langword="true"/> for the one frame that exceeded the budget.</param>
    /// <returns><see langword="true"/> while within the budget (answer it); <see langword="false"/> once it is exceeded.</returns>
    public bool TrySpend(out bool exceededNow)
    {
        var spent = Interlocked.Increment(ref _spent);
        exceededNow = spent == limit + 1;
        return spent <= limit;
    }
}
