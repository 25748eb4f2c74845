using System.Text.Json;

namespace ChatServer.LoadTest;

/// <summary>Follows the server's presence list from the presence frames of one anonymous connection (an Add or Update
/// sets an entry, a Remove drops it), so the soak can count the entries the server holds.</summary>
public sealed class PresenceObserver : ILoadSink
{
    private readonly Dictionary<string, int> _entries = [];

    public const int Client = -1;

    public (int Entries, int Tabs) Snapshot()
    {
        lock (_entries)
        {
            return (_entries.Count, _entries.Values.Sum());
        }
    }

    public void OnFrame(int client, ReadOnlyMemory<byte> frame)
    {
        if (client != Client)
        {
            return;
        }
        using var document = JsonDocument.Parse(frame);
        if (document.RootElement.GetProperty("type").GetString() != "presence")
        {
            return;
        }
        lock (_entries)
        {
            foreach (var change in document.RootElement.GetProperty("payload").GetProperty("changes").EnumerateArray())
            {
                var entry = change.GetProperty("entry");
                var user = entry.GetProperty("user").GetString() ?? string.Empty;
                if (change.GetProperty("reason").GetString() == "Remove")
                {
                    _entries.Remove(user);
                }
                else
                {
                    _entries[user] = entry.GetProperty("tabs").GetInt32();
                }
            }
        }
    }

    public void OnMessage(int client, string text)
    {
    }

    public void OnAck(Guid id)
    {
    }

    public void OnReject(Guid id, string code)
    {
    }

    /// <summary>Gets why the observed connection ended early, if it did (the soak then fails: its counts are stale).</summary>
    public string? Closed { get; private set; }

    public void OnClosed(int client, string reason) => Closed ??= $"client {client}: {reason}";
}
