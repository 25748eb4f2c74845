using System.Net;

namespace ChatServer.Chat;

/// <summary>Counts sends against the per-user and per-address rate over every node of the chat.</summary>
/// <remarks>Thread safety: every member may be called from any thread.</remarks>
public interface ISharedSendRate
{
    /// <summary>Counts one send of <paramref name="user"/> (and of <paramref name="address"/>) in the current window,
    /// unless a budget is spent.</summary>
    /// <param name="user">The sender.</param>
    /// <param name="address">The client address, or <see langword="null"/> to count the user only.</param>
    /// <returns>The verdict, or <see langword="null"/> when the shared count cannot be reached (the caller decides alone).</returns>
    SharedRateVerdict? TryCount(string user, IPAddress? address);
}

/// <summary>What a shared rate count decided.</summary>
public enum SharedRateVerdict
{
    /// <summary>Counted: the send may go on.</summary>
    Allowed,

    /// <summary>The user's budget is spent; nothing counted.</summary>
    UserLimited,

    /// <summary>The address's budget is spent; nothing counted.</summary>
    AddressLimited,
}
