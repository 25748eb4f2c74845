namespace Reactive.Edits;

/// <summary>Decides how many edits of an <see cref="EditSet{T}"/> are in flight at once, and what happens to the rest.</summary>
/// <remarks>
/// <para>One mechanism covers every policy: a limit on started edits, and an <see cref="EditOverflow"/> rule for a request
/// that arrives when the limit is reached. Waiting edits are <see cref="EditStatus.Pending"/> (the user's input is dirty),
/// but not yet started, so no committer sees them.</para>
/// <list type="table">
/// <listheader><term>policy</term><description>behaviour</description></listheader>
/// <item><term><see cref="Concurrent"/></term><description>every request starts at once as its own in-flight edit</description></item>
/// <item><term><see cref="Bounded(int)"/></term><description>at most n in flight; the rest wait in request order</description></item>
/// <item><term><see cref="SingleFlight"/></term><description>while one edit is pending, new requests are refused</description></item>
/// <item><term><see cref="Coalescing"/></term><description>one in flight; a new request waits and replaces whatever was waiting</description></item>
/// <item><term><see cref="LatestWins"/></term><description>a new request supersedes the pending one, whose attempt is cancelled</description></item>
/// <item><term><see cref="Queued"/></term><description>one at a time, in request order</description></item>
/// </list>
/// </remarks>
public sealed class EditPolicy
{
    private readonly string _name;

    private EditPolicy(string name, int maxInFlight, EditOverflow overflow)
    {
        _name = name;
        MaxInFlight = maxInFlight;
        Overflow = overflow;
    }

    /// <summary>Gets the policy under which every request starts at once.</summary>
    public static EditPolicy Concurrent { get; } = new("Concurrent", int.MaxValue, EditOverflow.Wait);

    /// <summary>Gets the policy that refuses requests while one edit is pending (Electric's <c>e/Token</c>).</summary>
    public static EditPolicy SingleFlight { get; } = new("SingleFlight", 1, EditOverflow.Refuse);

    /// <summary>Gets the policy that keeps one edit in flight and coalesces later requests into one waiting edit.</summary>
    public static EditPolicy Coalescing { get; } = new("Coalescing", 1, EditOverflow.SupersedeWaiting);

    /// <summary>Gets the policy under which a new request supersedes, and cancels, the pending one.</summary>
    public static EditPolicy LatestWins { get; } = new("LatestWins", 1, EditOverflow.SupersedeInFlight);

    /// <summary>Gets the policy that commits edits one at a time, in request order.</summary>
    public static EditPolicy Queued { get; } = new("Queued", 1, EditOverflow.Wait);

    /// <summary>Gets the largest number of edits started and not yet settled at once.</summary>
    public int MaxInFlight { get; }

    /// <summary>Gets what happens to a request that arrives when <see cref="MaxInFlight"/> is reached.</summary>
    public EditOverflow Overflow { get; }

    /// <summary>Creates a policy that keeps at most <paramref name="maxInFlight"/> edits in flight; the rest wait in order.</summary>
    /// <param name="maxInFlight">The limit, at least 1.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxInFlight"/> is less than 1.</exception>
    public static EditPolicy Bounded(int maxInFlight) => Create(maxInFlight, EditOverflow.Wait);

    /// <summary>Creates a policy from its two parts.</summary>
    /// <param name="maxInFlight">The largest number of edits in flight at once, at least 1.</param>
    /// <param name="overflow">What happens to a request when the limit is reached.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxInFlight"/> is less than 1, or <paramref name="overflow"/> is not defined.</exception>
    public static EditPolicy Create(int maxInFlight, EditOverflow overflow)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        if (!Enum.IsDefined(overflow))
        {
            throw new ArgumentOutOfRangeException(nameof(overflow), overflow, "Unknown overflow rule.");
        }

        return new EditPolicy($"{overflow}({maxInFlight})", maxInFlight, overflow);
    }

    /// <summary>Returns the policy's name.</summary>
    /// <returns>The name, e.g. <c>LatestWins</c> or <c>Wait(4)</c>.</returns>
    public override string ToString() => _name;
}
