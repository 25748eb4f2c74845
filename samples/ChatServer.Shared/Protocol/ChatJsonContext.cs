using System.Text.Json;
using System.Text.Json.Serialization;

namespace ChatServer.Shared.Protocol;

/// <summary>The source-generated JSON contracts of every payload: no reflection, so the trimmed browser build works.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(SendMessage))]
[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(History))]
[JsonSerializable(typeof(Welcome))]
[JsonSerializable(typeof(PresenceUpdate))]
[JsonSerializable(typeof(ProtocolError))]
[JsonSerializable(typeof(AuthResult))]
public sealed partial class ChatJsonContext : JsonSerializerContext;
