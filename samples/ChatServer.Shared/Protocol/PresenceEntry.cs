using System.Text.Json.Serialization;

namespace ChatServer.Shared.Protocol;

/// <summary>One entry of the presence collection: a user and how many tabs (connections) the user has open.</summary>
/// <param name="User">The user name, which keys the collection; the empty name stands for all anonymous readers
/// together (no login can have it).</param>
/// <param name="Tabs">The number of open connections, at least 1.</param>
public sealed record PresenceEntry(string User, int Tabs)
{
    /// <summary>The key of the entry that counts anonymous (read-only) connections.</summary>
    public const string AnonymousKey = "";

    /// <summary>Gets a value indicating whether this entry counts anonymous readers rather than a user.</summary>
    [JsonIgnore]
    public bool IsAnonymous => User.Length == 0;
}
