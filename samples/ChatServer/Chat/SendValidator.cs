using ChatServer.Shared.Protocol;
using Microsoft.Extensions.Options;
using Reactive.Edits.Remote;

namespace ChatServer.Chat;

/// <summary>Checks a send before it is applied: logged in, not empty, not too long, within the per-user rate.</summary>
/// <remarks>Thread safety: every member may be called from any thread.</remarks>
public sealed class SendValidator(TimeProvider time, IOptions<ChatOptions> options)
{
    private readonly ChatOptions _options = options.Value;
    private readonly Dictionary<string, Queue<DateTimeOffset>> _recentSends = new(StringComparer.Ordinal);

    /// <summary>Gets the limits, as told to clients.</summary>
    public ChatLimits Limits => new(_options.MaxMessageLength, _options.RateLimitCount, _options.RateLimitWindow.TotalSeconds);

    /// <summary>Returns why the send must be rejected, or <see langword="null"/> if it may be applied (and then
    /// counts it against the user's rate).</summary>
    /// <param name="user">The connection's user, <see langword="null"/> when anonymous.</param>
    /// <param name="command">The command.</param>
    /// <returns>The error, or <see langword="null"/>.</returns>
    public RemoteError? Validate(string? user, SendMessage command)
    {
        if (user is null)
        {
            return new RemoteError(ChatProtocol.NotLoggedIn, "Log in to chat: anonymous visitors can read but not send.");
        }
        if (string.IsNullOrWhiteSpace(command.Text))
        {
            return new RemoteError(ChatProtocol.Empty, "The message is empty.");
        }
        if (command.Text.Length > _options.MaxMessageLength)
        {
            return new RemoteError(ChatProtocol.TooLong, $"The message is too long: at most {_options.MaxMessageLength} characters.");
        }
        return CountSend(user)
            ? null
            : new RemoteError(ChatProtocol.RateLimited, $"Too many messages: at most {_options.RateLimitCount} per {_options.RateLimitWindow.TotalSeconds:0.#} seconds. Wait a moment and retry.");
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
