using System.Text.Json;
using StackExchange.Redis;

namespace ChatServer.LoadTest;

/// <summary>The room's log as Redis holds it after a run, read directly (not through a node): every message event of
/// the stream <c>{chat}:events</c>, the messages as they stand (<c>{chat}:messages</c>) and their order
/// (<c>{chat}:order</c>), by message id (a send's edit id is its message's id).</summary>
public sealed class ClusterLog
{
    private ClusterLog(Dictionary<Guid, int> events, Dictionary<Guid, string> messages, HashSet<Guid> ordered)
    {
        MessageEvents = events;
        Messages = messages;
        Ordered = ordered;
    }

    /// <summary>Gets how many "message" events (new messages) the stream holds per message id: 1 each when nothing was stored twice.</summary>
    public IReadOnlyDictionary<Guid, int> MessageEvents { get; }

    /// <summary>Gets the text of every message in the messages hash, by id.</summary>
    public IReadOnlyDictionary<Guid, string> Messages { get; }

    /// <summary>Gets the ids in the history's order (the sorted set).</summary>
    public IReadOnlySet<Guid> Ordered { get; }

    public static async Task<ClusterLog> ReadAsync(string endPoint)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(endPoint);
        var database = redis.GetDatabase();
        var events = new Dictionary<Guid, int>();
        // The stream's entry ids are "offset-0" from 1 up; read it in pages.
        RedisValue after = "-";
        while (true)
        {
            var page = await database.StreamRangeAsync("{chat}:events", after, "+", count: 1000);
            foreach (var entry in page)
            {
                if (entry["kind"] == "message")
                {
                    var id = IdOf((string)entry["body"]!);
                    events[id] = events.GetValueOrDefault(id) + 1;
                }
            }
            if (page.Length < 1000)
            {
                break;
            }
            after = "(" + page[^1].Id;
        }
        var messages = (await database.HashGetAllAsync("{chat}:messages")).ToDictionary(
            field => Guid.Parse((string)field.Name!),
            field => TextOf(field.Value!));
        var ordered = (await database.SortedSetRangeByRankAsync("{chat}:order")).Select(member => Guid.Parse((string)member!)).ToHashSet();
        return new ClusterLog(events, messages, ordered);
    }

    private static Guid IdOf(string body)
    {
        using var message = JsonDocument.Parse(body);
        return message.RootElement.GetProperty("id").GetGuid();
    }

    private static string TextOf(string body)
    {
        using var message = JsonDocument.Parse(body);
        return message.RootElement.GetProperty("text").GetString()!;
    }
}
