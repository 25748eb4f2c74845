using ChatServer.Shared.Protocol;
using Microsoft.Extensions.Options;
using Reactive.Edits.Remote;

namespace ChatServer.Chat;

/// <summary>Checks a send before it is applied: logged in, within the per-user rate, not empty, not too long.</summary>
/// <remarks>
/// <para>Every send of a logged-in user counts against the rate, including those refused as empty or too long: a
/// refusal costs the server a frame, a log line and a ledger lookup, so a burst of them is throttled like any other.
/// (An anonymous connection has no user to count by; its sends are refused first, and each one spends the
/// connection's <see cref="BadFrameBudget"/> instead.)</para>
/// <para>Thread safety: every member may be called from any thread.</para>
/// </remarks>
public sealed class SendValidator(TimeProvider time, IOptions<ChatOptions> options)
{
    private readonly ChatOptions _options = options.Value;
    private readonly Dictionary<string, Queue<DateTimeOffset>> _recentSends = new(StringComparer.Ordinal);

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

    /// <summary>Returns why the send must be rejected, or <see langword="null"/> if it may be applied. A logged-in
    /// user's send is counted against the user's rate before its text is checked.</summary>
    /// <param name="user">The connection's user, <see langword="null"/> when anonymous.</param>
    /// <param name="command">The command.</param>
    /// <returns>The error, or <see langword="null"/>.</returns>
    public RemoteError? Validate(string? user, SendMessage command)
    {
        if (user is null)
        {
            return new RemoteError(ChatProtocol.NotLoggedIn, "Log in to chat: anonymous visitors can read but not send.");
        }
        if (!CountSend(user))
        {
            return new RemoteError(ChatProtocol.RateLimited, $"Too many messages: at most {_options.RateLimitCount} per {_options.RateLimitWindow.TotalSeconds:0.#} seconds. Wait a moment and retry.");
        }
        if (string.IsNullOrWhiteSpace(command.Text))
        {
            return new RemoteError(ChatProtocol.Empty, "The message is empty.");
        }
        return command.Text.Length > _options.MaxMessageLength
            ? new RemoteError(ChatProtocol.TooLong, $"The message is too long: at most {_options.MaxMessageLength} characters.")
            : null;
    }

    private bool CountSend(string user)
    {
        var now = time.GetUtcNow();
        lock (_recentSends)
        {
            if (!_recentSends.TryGetValue(user, out var sends))
            {
                sends = new Queue<DateTimeOffset>();
                _recentSends.Add(user, sends);
            }
            while (sends.Count > 0 && now - sends.Peek() >= _options.RateLimitWindow)
            {
                sends.Dequeue();
            }
            if (sends.Count >= _options.RateLimitCount)
            {
                return false;
            }
            sends.Enqueue(now);
            return true;
        }
    }
}
