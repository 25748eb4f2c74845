using ChatServer.Shared.Protocol;
using Microsoft.Data.Sqlite;

namespace ChatServer.Tests.Support;

/// <summary>Reads the messages a server process stored in its SQLite file, in order: what survives a stop or a kill.</summary>
public static class StoredMessages
{
    public static List<ChatMessage> Read(string store)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = store, Pooling = false }.ToString());
        connection.Open();
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT sequence, id, user, text, sent_at_ticks FROM messages ORDER BY sequence;";
        using var reader = select.ExecuteReader();
        var messages = new List<ChatMessage>();
        while (reader.Read())
        {
            messages.Add(new ChatMessage(Guid.Parse(reader.GetString(1)), reader.GetString(2), reader.GetString(3), new DateTimeOffset(reader.GetInt64(4), TimeSpan.Zero), reader.GetInt64(0)));
        }
        return messages;
    }
}
