using System.Net;
using ChatServer.Auth;
using ChatServer.Shared.Protocol;
using Microsoft.Extensions.Options;
using Reactive.Edits.Remote;

namespace ChatServer.Chat;

/// <summary>Checks a send before it is applied: logged in, within the per-user and the per-address rate, not empty,
/// not too long.</summary>
/// <remarks>
/// <para>Every send of a logged-in user counts against the rate, including those refused as empty or too long: a
/// refusal costs the server a frame, a log line and a ledger lookup, so a burst of them is throttled like any other.
/// (An anonymous connection has no user to count by; its sends are refused first, and each one spends the
/// connection's <see cref="BadFrameBudget"/> instead.)</para>
/// <para>Two budgets over the same window: the user's (<see cref="ChatOptions.RateLimitCount"/>; "Alice" and "alice"
/// are one user) and the client address's (<see cref="ChatOptions.AddressRateLimitCount"/>), so that logging in under
/// more names from one client does not multiply what it may send. Each send counts against both.</para>
/// <para>With several nodes (<see cref="ChatOptions.Redis"/>), both budgets are counted over every node by a
/// <see cref="ISharedSendRate"/>; while it cannot answer (Redis away), each node counts alone, as with one node.</para>
/// <para>Thread safety: every member may be called from any thread.</para>
/// </remarks>
public sealed class SendValidator(TimeProvider time, IOptions<ChatOptions> options, ISharedSendRate? shared = null)
{
    // Below this many tracked senders no sweep runs; above it, one sweep per doubling keeps the tables bounded by the
    // senders active within the window.
    private const int SweepThreshold = 1024;

    private readonly ChatOptions _options = options.Value;
    private readonly Dictionary<string, Queue<DateTimeOffset>> _userSends = new(UserNames.Comparer);
    private readonly Dictionary<IPAddress, Queue<DateTimeOffset>> _addressSends = [];
    private int _sweepAt = SweepThreshold;

    /// <summary>Gets the codes of the rejections <see cref="Validate"/> makes: refusals before the edit ran, which the
    /// ledger does not record (<see cref="Storage.RefusalSkippingLedger{TCommand}"/>).</summary>
    public static IReadOnlySet<string> RefusalCodes { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        ChatProtocol.NotLoggedIn,
        ChatProtocol.RateLimited,
        ChatProtocol.Empty,
        ChatProtocol.TooLong,
    };

    /// <summary>Gets the limits, as told to clients.</summary>
    public ChatLimits Limits => new(_options.MaxMessageLength, _options.RateLimitCount, _options.RateLimitWindow.TotalSeconds);

    /// <summary>Returns why an edit (a send, an edit or a deletion of a message) must be rejected before it runs, or
    /// <see langword="null"/> if it may run. A logged-in user's edit is counted against the user's and the address's
    /// rate before its text is checked; every kind counts alike.</summary>
    /// <param name="user">The connection's user, <see langword="null"/> when anonymous.</param>
    /// <param name="address">The connection's client address, <see langword="null"/> when it has none (not counted).</param>
    /// <param name="newText">The text sent or the new text of an edit, or <see langword="null"/> for a deletion (no text to check).</param>
    /// <returns>The error, or <see langword="null"/>.</returns>
    public RemoteError? Validate(string? user, IPAddress? address, string? newText)
    {
        if (user is null)
        {
            return new RemoteError(ChatProtocol.NotLoggedIn, "Log in to chat: anonymous visitors can read but not send.");
        }
        if (!CountSend(user, address, out var addressLimited))
        {
            return new RemoteError(ChatProtocol.RateLimited, addressLimited
                ? $"Too many messages from your address: at most {_options.AddressRateLimitCount} per {_options.RateLimitWindow.TotalSeconds:0.#} seconds, whatever the user name. Wait a moment and retry."
                : $"Too many messages: at most {_options.RateLimitCount} per {_options.RateLimitWindow.TotalSeconds:0.#} seconds. Wait a moment and retry.");
        }
        if (newText is null)
        {
            return null;
        }
        // Zero-width and format characters alone show nothing: such a message is as empty as one of spaces.
        if (!VisibleText.HasVisibleCharacter(newText))
        {
            return new RemoteError(ChatProtocol.Empty, "The message is empty.");
        }
        return newText.Length > _options.MaxMessageLength
            ? new RemoteError(ChatProtocol.TooLong, $"The message is too long: at most {_options.MaxMessageLength} characters.")
            : null;
    }

    private bool CountSend(string user, IPAddress? address, out bool addressLimited)
    {
        var now = time.GetUtcNow();
        bool userAllowed;
        lock (_userSends)
        {
            if (_userSends.Count + _addressSends.Count >= _sweepAt)
            {
                Sweep(_userSends, now);
                Sweep(_addressSends, now);
                _sweepAt = Math.Max(SweepThreshold, 2 * (_userSends.Count + _addressSends.Count));
            }
            userAllowed = Count(_userSends, user, _options.RateLimitCount, now);
            addressLimited = address is not null && _options.AddressRateLimitCount > 0
                && !Count(_addressSends, address, _options.AddressRateLimitCount, now);
            if (shared is null)
            {
                return userAllowed && !addressLimited;
            }
        }
        // Counted here too (above), so that this node's own count is ready when the shared one cannot answer.
        if (shared.TryCount(user, _options.AddressRateLimitCount > 0 ? address : null) is { } verdict)
        {
            addressLimited = verdict == SharedRateVerdict.AddressLimited;
            return verdict == SharedRateVerdict.Allowed;
        }
        return userAllowed && !addressLimited;
    }

    // Counts one send in the key's window; false (and not counted) when the window is full.
    private bool Count<TKey>(Dictionary<TKey, Queue<DateTimeOffset>> sends, TKey key, int limit, DateTimeOffset now)
        where TKey : notnull
    {
        if (!sends.TryGetValue(key, out var recent))
        {
            recent = new Queue<DateTimeOffset>();
            sends.Add(key, recent);
        }
        Expire(recent, now);
        if (recent.Count >= limit)
        {
            return false;
        }
        recent.Enqueue(now);
        return true;
    }

    private void Sweep<TKey>(Dictionary<TKey, Queue<DateTimeOffset>> sends, DateTimeOffset now)
        where TKey : notnull
    {
        foreach (var (key, recent) in sends)
        {
            Expire(recent, now);
            if (recent.Count == 0)
            {
                sends.Remove(key);
            }
        }
    }

    private void Expire(Queue<DateTimeOffset> recent, DateTimeOffset now)
    {
        while (recent.Count > 0 && now - recent.Peek() >= _options.RateLimitWindow)
        {
            recent.Dequeue();
        }
    }
}
