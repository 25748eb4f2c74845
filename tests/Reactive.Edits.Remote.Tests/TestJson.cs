using System.Text.Json.Serialization;

namespace Reactive.Edits.Remote.Tests;

public sealed record PostMessage(string Text);

public sealed record Presence(int Count);

public sealed record RenameRoom(string Name);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PostMessage))]
[JsonSerializable(typeof(Presence))]
[JsonSerializable(typeof(RenameRoom))]
[JsonSerializable(typeof(string))]
public sealed partial class TestJson : JsonSerializerContext;
