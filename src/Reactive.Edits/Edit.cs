using System.Diagnostics;

namespace Reactive.Edits;

/// <summary>Represents one edit: the <c>[token, value]</c> pair, with the state of its lifecycle at one moment.</summary>
/// <typeparam name="T">The type of the requested value.</typeparam>
/// <remarks>
/// <para>
/// An edit is an immutable snapshot: the <see cref="EditSet{T}"/> publishes a new one with every change of status, so
/// a snapshot you hold keeps the status it had. The token is the live part: spend it to settle the attempt.
/// </para>
/// <para>Deconstruct it as the pair: <c>var (token, value) = edit;</c>.</para>
/// </remarks>
public sealed class Edit<T>
{
    // The two times are kept as clock ticks and offset minutes, the parts a DateTimeOffset is made of, because a
    // DateTimeOffset field takes 16 bytes for its 10: the snapshot, allocated at every change of status, is 72 bytes
    // instead of 88 (with an int value).
    private readonly long _requestedAtTicks;
    private readonly long _attemptRequestedAtTicks;
    private readonly short _requestedAtOffset;
    private readonly short _attemptRequestedAtOffset;

    internal Edit(EditToken token, T value, EditStatus status, Exception? error, bool isStarted, long sequence, DateTimeOffset requestedAt, DateTimeOffset attemptRequestedAt, bool isRestored = false)
        : this(token, value, status, error, isStarted, sequence, requestedAt.Ticks, OffsetMinutes(requestedAt), attemptRequestedAt.Ticks, OffsetMinutes(attemptRequestedAt), isRestored)
    {
    }

    private Edit(EditToken token, T value, EditStatus status, Exception? error, bool isStarted, long sequence, long requestedAtTicks, short requestedAtOffset, long attemptRequestedAtTicks, short attemptRequestedAtOffset, bool isRestored)
    {
        Token = token;
        Value = value;
        Status = status;
        Error = error;
        IsStarted = isStarted;
        Sequence = sequence;
        _requestedAtTicks = requestedAtTicks;
        _requestedAtOffset = requestedAtOffset;
        _attemptRequestedAtTicks = attemptRequestedAtTicks;
        _attemptRequestedAtOffset = attemptRequestedAtOffset;
        IsRestored = isRestored;
    }

    /// <summary>Gets the edit's stable id, the same across retries.</summary>
    /// <remarks>Read from the token, which every attempt is given with the edit's id: a snapshot does not keep a copy,
    /// which makes each of them 16 bytes smaller.</remarks>
    public EditId Id => Token.EditId;

    /// <summary>Gets the token of the current attempt.</summary>
    public EditToken Token { get; }

    /// <summary>Gets the requested value: the next state the user asked for.</summary>
    public T Value { get; }

    /// <summary>Gets the status at the time of this snapshot.</summary>
    public EditStatus Status { get; }

    /// <summary>Gets why the edit was rejected, while it is <see cref="EditStatus.Rejected"/>; otherwise <see langword="null"/>.</summary>
    public Exception? Error { get; }

    /// <summary>Gets a value indicating whether the current attempt has been started, i.e. handed to the committers.</summary>
    /// <remarks>A pending edit that is not started waits behind its set's <see cref="EditPolicy"/>.</remarks>
    public bool IsStarted { get; }

    /// <summary>Gets the position of the edit in request order within its set; a retry keeps it.</summary>
    public long Sequence { get; }

    /// <summary>Gets when the edit was first requested, on the set's scheduler clock.</summary>
    public DateTimeOffset RequestedAt => ToDateTimeOffset(_requestedAtTicks, _requestedAtOffset);

    /// <summary>Gets when the current attempt was requested (the first request, or the latest retry).</summary>
    public DateTimeOffset AttemptRequestedAt => ToDateTimeOffset(_attemptRequestedAtTicks, _attemptRequestedAtOffset);

    /// <summary>Gets a value indicating whether the edit was restored with <see cref="EditSet{T}.TryRestore"/>, i.e. left unsettled by an earlier run of the program.</summary>
    /// <remarks>An earlier run may have sent a restored edit's attempt, so cancelling it never promises "no effect" (<see cref="EditCancellation.AfterStart"/>).</remarks>
    public bool IsRestored { get; }

    /// <summary>Gets the number of the current attempt, starting at 1.</summary>
    public int Attempt => Token.Attempt;

    /// <summary>Gets a value indicating whether the edit is pending.</summary>
    public bool IsPending => Status == EditStatus.Pending;

    /// <summary>Deconstructs the edit into its <c>[token, value]</c> pair.</summary>
    /// <param name="token">The token of the current attempt.</param>
    /// <param name="value">The requested value.</param>
    public void Deconstruct(out EditToken token, out T value)
    {
        token = Token;
        value = Value;
    }

    /// <summary>Returns the id, attempt and status, for diagnostics.</summary>
    /// <returns>A text such as <c>3f2a…#1 Pending</c>.</returns>
    public override string ToString() => $"{Token} {Status}";

    // The next attempt: its token carries the same id, which is where Id is read from.
    internal Edit<T> With(EditToken token, T value, EditStatus status, Exception? error, bool isStarted, DateTimeOffset attemptRequestedAt)
    {
        Debug.Assert(token.EditId == Id, "An attempt's token carries the edit's id.");
        return new(token, value, status, error, isStarted, Sequence, _requestedAtTicks, _requestedAtOffset, attemptRequestedAt.Ticks, OffsetMinutes(attemptRequestedAt), IsRestored);
    }

    internal Edit<T> With(EditStatus status, Exception? error) =>
        new(Token, Value, status, error, IsStarted, Sequence, _requestedAtTicks, _requestedAtOffset, _attemptRequestedAtTicks, _attemptRequestedAtOffset, IsRestored);

    internal Edit<T> Started() =>
        new(Token, Value, Status, Error, isStarted: true, Sequence, _requestedAtTicks, _requestedAtOffset, _attemptRequestedAtTicks, _attemptRequestedAtOffset, IsRestored);

    // An offset is a whole number of minutes within ±14 hours, so it fits a short; the pair gives back the same value.
    private static short OffsetMinutes(DateTimeOffset time) => (short)time.TotalOffsetMinutes;

    private static DateTimeOffset ToDateTimeOffset(long ticks, short offsetMinutes) =>
        new(ticks, new TimeSpan(offsetMinutes * TimeSpan.TicksPerMinute));
}
