using System.Text.Json;
using System.Text.Json.Serialization;

namespace ChatServer.Shared.Protocol;

/// <summary>The source-generated JSON contracts of every payload: no reflection, so the trimmed browser build works.</summary>
// A missing or null non-nullable field (e.g. a command without "text") is a malformed message, not a silent null.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(SendMessage))]
[JsonSerializable(typeof(EditMessage))]
[JsonSerializable(typeof(DeleteMessage))]
[JsonSerializable(typeof(MessageDeleted))]
[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(MessageBatch))]
[JsonSerializable(typeof(History))]
[JsonSerializable(typeof(Welcome))]
[JsonSerializable(typeof(PresenceUpdate))]
[JsonSerializable(typeof(ProtocolError))]
[JsonSerializable(typeof(AuthResult))]
public sealed partial class ChatJsonContext : JsonSerializerContext;
