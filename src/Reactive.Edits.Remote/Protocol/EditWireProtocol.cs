using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Reactive.Edits.Remote;

/// <summary>Encodes and decodes the default wire protocol: JSON text messages with a <c>type</c> discriminator, edits of several command kinds and their answers multiplexed with the application's own messages.</summary>
/// <remarks>
/// <para>The protocol is a registry of command kinds, built once and then immutable:
/// <see cref="WithCommand{TCommand}(string, JsonTypeInfo{TCommand})"/> registers a kind by name, and
/// <see cref="WithCommand{TCommand}(JsonTypeInfo{TCommand})"/> the one default kind, whose edits carry no <c>kind</c>
/// (an application with one command type needs nothing more). Each command type has one kind; no union type is needed.
/// An edit set of a base type (<c>EditSet&lt;RoomCommand&gt;</c> whose commands are <c>PostMessage</c>, <c>RenameRoom</c>, …)
/// is carried too, when each concrete type is registered: each edit goes as the kind of its runtime type, so one set, one
/// <see cref="RemoteEditClient{TCommand}"/> and one optimistic view hold every kind of edit on the same items.</para>
/// <list type="table">
/// <listheader><term>message</term><description>shape</description></listheader>
/// <item><term>edit (client → server)</term><description><c>{"type":"edit","id":"&lt;guid&gt;","attempt":1,"kind":"&lt;kind&gt;","command":&lt;command&gt;}</c>; no <c>kind</c> for the default kind</description></item>
/// <item><term>ack (server → client)</term><description><c>{"type":"ack","id":"&lt;guid&gt;","attempt":1}</c></description></item>
/// <item><term>reject (server → client)</term><description><c>{"type":"reject","id":"&lt;guid&gt;","attempt":1,"code":"…","message":"…"}</c></description></item>
/// <item><term>anything else</term><description><c>{"type":"&lt;name&gt;","payload":…}</c>, passed through to the application as <see cref="WireMessageKind.Message"/></description></item>
/// </list>
/// <para>Trimming- and AOT-safe: the envelopes are written and read with <see cref="Utf8JsonWriter"/> and <see cref="JsonDocument"/>,
/// and each command goes through the <see cref="JsonTypeInfo{T}"/> the application supplies (from its source-generated
/// <c>JsonSerializerContext</c>); nothing uses reflection.</para>
/// <para><see cref="Decode(ChannelMessage)"/> never throws on bad input: invalid JSON, a missing or ill-typed field, or a
/// command the type info cannot read all give a <see cref="WireMessageKind.Malformed"/> result with the reason; an edit
/// of a kind not registered gives <see cref="WireMessageKind.UnknownCommand"/>, with its id and attempt, so that a server
/// can reject it by id (nothing is lost: the client keeps the edit, rejected, with its value).</para>
/// <para>Thread safety: an instance is immutable and may be shared.</para>
/// <example>
/// <code>
/// [JsonSerializable(typeof(SendMessage))]
/// [JsonSerializable(typeof(RenameRoom))]
/// partial class ChatJson : JsonSerializerContext;
///
/// var protocol = new EditWireProtocol()
///     .WithCommand(ChatJson.Default.SendMessage)              // the default kind: {"type":"edit",…,"command":{…}}
///     .WithCommand("rename", ChatJson.Default.RenameRoom);    // {"type":"edit",…,"kind":"rename","command":{…}}
/// ChannelMessage frame = protocol.EncodeEdit(new EditRequest&lt;RenameRoom&gt;(EditId.New(), 1, new RenameRoom("lobby")));
/// WireMessage decoded = protocol.Decode(frame);   // decoded.Kind == WireMessageKind.Edit, decoded.CommandKind == "rename"
/// </code>
/// </example>
/// </remarks>
public sealed class EditWireProtocol
{
    internal const string EditType = "edit";
    internal const string AckType = "ack";
    internal const string RejectType = "reject";

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    // Kind name (empty for the default kind) to command; command type to kind.
    private readonly Dictionary<string, CommandKind> _byName;
    private readonly Dictionary<Type, CommandKind> _byType;

    /// <summary>Initializes a protocol with no command kinds; add them with <c>WithCommand</c>.</summary>
    public EditWireProtocol()
        : this(new Dictionary<string, CommandKind>(StringComparer.Ordinal), [])
    {
    }

    private EditWireProtocol(Dictionary<string, CommandKind> byName, Dictionary<Type, CommandKind> byType)
    {
        _byName = byName;
        _byType = byType;
    }

    /// <summary>Gets the names of the registered command kinds; the empty string stands for the default kind.</summary>
    public IReadOnlyCollection<string> CommandKinds => _byName.Keys;

    /// <summary>Returns a protocol that also carries <typeparamref name="TCommand"/> as the default command kind, whose edits carry no <c>kind</c> property.</summary>
    /// <typeparam name="TCommand">The command type.</typeparam>
    /// <param name="commandTypeInfo">The command's type info, normally from a source-generated <c>JsonSerializerContext</c>.</param>
    /// <returns>A new protocol; this one is unchanged.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="commandTypeInfo"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A default kind is registered already, or <typeparamref name="TCommand"/> is.</exception>
    public EditWireProtocol WithCommand<TCommand>(JsonTypeInfo<TCommand> commandTypeInfo) => With(string.Empty, commandTypeInfo);

    /// <summary>Returns a protocol that also carries <typeparamref name="TCommand"/> as the command kind <paramref name="kind"/>.</summary>
    /// <typeparam name="TCommand">The command type.</typeparam>
    /// <param name="kind">The kind's name on the wire, e.g. <c>"rename"</c>; not empty.</param>
    /// <param name="commandTypeInfo">The command's type info, normally from a source-generated <c>JsonSerializerContext</c>.</param>
    /// <returns>A new protocol; this one is unchanged.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="kind"/> or <paramref name="commandTypeInfo"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is empty or registered already, or <typeparamref name="TCommand"/> is.</exception>
    public EditWireProtocol WithCommand<TCommand>(string kind, JsonTypeInfo<TCommand> commandTypeInfo)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        return With(kind, commandTypeInfo);
    }

    /// <summary>Encodes an edit envelope of a registered command type.</summary>
    /// <typeparam name="TCommand">The command type.</typeparam>
    /// <param name="request">The envelope.</param>
    /// <returns>A text message.</returns>
    /// <exception cref="InvalidOperationException">Neither <typeparamref name="TCommand"/> nor the command's own type is registered.</exception>
    /// <remarks>A command whose static type is not registered (a base type, say) is encoded as the kind of its runtime type.</remarks>
    public ChannelMessage EncodeEdit<TCommand>(EditRequest<TCommand> request)
    {
        var kind = KindOf(request.Command);
        return Write((Kind: kind, Request: request), static (writer, state) =>
        {
            writer.WriteString("type", EditType);
            writer.WriteString("id", state.Request.Id.Value);
            writer.WriteNumber("attempt", state.Request.Attempt);
            if (state.Kind.Name.Length > 0)
            {
                writer.WriteString("kind", state.Kind.Name);
            }

            writer.WritePropertyName("command");
            state.Kind.Write(writer, state.Request.Command!);
        });
    }

    /// <summary>Encodes a server's answer: an <c>ack</c>, or a <c>reject</c> with the error's code and message.</summary>
    /// <param name="reply">The answer.</param>
    /// <returns>A text message.</returns>
    public ChannelMessage EncodeReply(EditReply reply) =>
        Write(reply, static (writer, reply) =>
        {
            var error = reply.Outcome.Error;
            writer.WriteString("type", error is null ? AckType : RejectType);
            writer.WriteString("id", reply.Id.Value);
            writer.WriteNumber("attempt", reply.Attempt);
            if (error is not null)
            {
                writer.WriteString("code", error.Code);
                writer.WriteString("message", error.Message);
            }
        });

    /// <summary>Encodes an application message, <c>{"type":…,"payload":…}</c>, to travel on the same channel as the edits.</summary>
    /// <typeparam name="T">The type of the payload.</typeparam>
    /// <param name="type">The message type; not one of the protocol's own (<c>edit</c>, <c>ack</c>, <c>reject</c>).</param>
    /// <param name="payload">The payload.</param>
    /// <param name="payloadTypeInfo">The payload's type info, normally from a source-generated <c>JsonSerializerContext</c>.</param>
    /// <returns>A text message.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="type"/> or <paramref name="payloadTypeInfo"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="type"/> is empty or reserved by the protocol.</exception>
    public ChannelMessage EncodeMessage<T>(string type, T payload, JsonTypeInfo<T> payloadTypeInfo)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(payloadTypeInfo);
        if (type is EditType or AckType or RejectType)
        {
            throw new ArgumentException($"The message type '{type}' is reserved by the edit protocol.", nameof(type));
        }

        return Write((Type: type, Payload: payload, TypeInfo: payloadTypeInfo), static (writer, state) =>
        {
            writer.WriteString("type", state.Type);
            writer.WritePropertyName("payload");
            JsonSerializer.Serialize(writer, state.Payload, state.TypeInfo);
        });
    }

    /// <summary>Decodes one message; never throws on bad input.</summary>
    /// <param name="message">The message, text or binary, holding UTF-8 JSON.</param>
    /// <returns>The decoded message, or a <see cref="WireMessageKind.Malformed"/> one with the reason.</returns>
    public WireMessage Decode(ChannelMessage message)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message.Data, DocumentOptions);
        }
        catch (JsonException ex)
        {
            return WireMessage.ForMalformed($"Invalid JSON: {ex.Message}");
        }

        using (document)
        {
            try
            {
                return Decode(document.RootElement);
            }
#pragma warning disable CA1031 // A user-supplied converter may throw anything; bad input must give a result, never an exception.
            catch (Exception)
#pragma warning restore CA1031
            {
                // The exception's message may name types or internals: the peer is told only that the command failed.
                return WireMessage.ForMalformed("The command could not be read.");
            }
        }
    }

    // A command type is carried when it is registered, or when it is a base type of registered ones (an edit set of a
    // command hierarchy): then each command goes as the kind of its runtime type.
    internal bool Carries<TCommand>()
    {
        if (_byType.ContainsKey(typeof(TCommand)))
        {
            return true;
        }

        foreach (var type in _byType.Keys)
        {
            if (typeof(TCommand).IsAssignableFrom(type))
            {
                return true;
            }
        }

        return false;
    }

    // The kind name of a command, for encoders outside the envelope (stored edits).
    internal string KindNameOf<TCommand>(TCommand command) => KindOf(command).Name;

    // Writes a command as its kind's JSON, for encoders outside the envelope (stored edits).
    internal void WriteCommand<TCommand>(Utf8JsonWriter writer, TCommand command) => KindOf(command).Write(writer, command!);

    // Whether the kind named is registered with a command type that is a TCommand (else it is another journal's).
    internal bool IsKindOf<TCommand>(string kindName) =>
        _byName.TryGetValue(kindName, out var kind) && typeof(TCommand).IsAssignableFrom(kind.CommandType);

    // Reads a command of a kind that IsKindOf<TCommand>; a command that does not fit its type throws, as JsonSerializer does.
    internal TCommand? ReadCommand<TCommand>(string kindName, JsonElement element) => (TCommand?)_byName[kindName].Read(element);

    private CommandKind KindOf<TCommand>(TCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (_byType.TryGetValue(typeof(TCommand), out var kind) || _byType.TryGetValue(command.GetType(), out kind))
        {
            return kind;
        }

        throw new InvalidOperationException($"The command type {command.GetType().Name} is not registered in this protocol: add it with WithCommand.");
    }

    private EditWireProtocol With<TCommand>(string name, JsonTypeInfo<TCommand> commandTypeInfo)
    {
        ArgumentNullException.ThrowIfNull(commandTypeInfo);
        if (_byName.ContainsKey(name))
        {
            throw new ArgumentException(name.Length == 0 ? "The protocol has a default command kind already." : $"The command kind '{name}' is registered already.", nameof(commandTypeInfo));
        }

        if (_byType.ContainsKey(typeof(TCommand)))
        {
            throw new ArgumentException($"The command type {typeof(TCommand).Name} is registered already, as another kind.", nameof(commandTypeInfo));
        }

        var kind = new CommandKind<TCommand>(name, commandTypeInfo);
        var byName = new Dictionary<string, CommandKind>(_byName, StringComparer.Ordinal) { [name] = kind };
        var byType = new Dictionary<Type, CommandKind>(_byType) { [typeof(TCommand)] = kind };
        return new EditWireProtocol(byName, byType);
    }

    private static ChannelMessage Write<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer, state);
            writer.WriteEndObject();
        }

        return new ChannelMessage(ChannelMessageType.Text, buffer.WrittenMemory);
    }

    private static bool TryGetId(JsonElement root, out EditId id)
    {
        id = default;
        return root.TryGetProperty("id", out var element)
            && element.ValueKind == JsonValueKind.String
            && EditId.TryParse(element.GetString(), out id);
    }

    private static bool TryGetAttempt(JsonElement root, out int attempt)
    {
        attempt = 0;
        return root.TryGetProperty("attempt", out var element)
            && element.ValueKind == JsonValueKind.Number
            && element.TryGetInt32(out attempt)
            && attempt >= 1;
    }

    private static string? GetString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString() : null;

    private WireMessage Decode(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return WireMessage.ForMalformed("A message must be a JSON object.");
        }

        var type = GetString(root, "type");
        if (string.IsNullOrEmpty(type))
        {
            return WireMessage.ForMalformed("A message needs a non-empty string property 'type'.");
        }

        if (type is not (EditType or AckType or RejectType))
        {
            var payload = root.TryGetProperty("payload", out var element) ? element.Clone() : default;
            return WireMessage.ForMessage(type, payload);
        }

        if (!TryGetId(root, out var id))
        {
            return WireMessage.ForMalformed($"A '{type}' message needs an 'id' that is a GUID string.");
        }

        if (!TryGetAttempt(root, out var attempt))
        {
            return WireMessage.ForMalformed($"A '{type}' message needs an 'attempt' that is a positive integer.");
        }

        switch (type)
        {
            case EditType:
                return DecodeEdit(root, id, attempt);

            case AckType:
                return WireMessage.ForReply(new EditReply(id, attempt, EditOutcome.Accepted));

            default:
                var code = GetString(root, "code");
                var text = GetString(root, "message");
                return string.IsNullOrEmpty(code) || text is null
                    ? WireMessage.ForMalformed("A 'reject' message needs a non-empty string 'code' and a string 'message'.")
                    : WireMessage.ForReply(new EditReply(id, attempt, EditOutcome.Rejected(new RemoteError(code, text))));
        }
    }

    private WireMessage DecodeEdit(JsonElement root, EditId id, int attempt)
    {
        string name;
        if (root.TryGetProperty("kind", out var kindElement))
        {
            if (kindElement.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(kindElement.GetString()))
            {
                return WireMessage.ForMalformed("An 'edit' message's 'kind', when present, must be a non-empty string.");
            }

            name = kindElement.GetString()!;
        }
        else
        {
            name = string.Empty;
        }

        if (!root.TryGetProperty("command", out var commandElement))
        {
            return WireMessage.ForMalformed("An 'edit' message needs a 'command'.");
        }

        if (!_byName.TryGetValue(name, out var kind))
        {
            return WireMessage.ForUnknownCommand(new EditRequest<object>(id, attempt, commandElement.Clone()), name);
        }

        object? command;
        try
        {
            command = kind.Read(commandElement);
        }
        catch (JsonException ex)
        {
            // Valid JSON whose command does not fit its type (a wrongly typed or missing field): not "invalid JSON".
            var what = name.Length == 0 ? "The command" : $"The '{name}' command";
            return WireMessage.ForMalformed($"{what} could not be read: {kind.Describe(commandElement, ex)}");
        }

        return command is null
            ? WireMessage.ForMalformed("An 'edit' message's command is null.")
            : WireMessage.ForEdit(new EditRequest<object>(id, attempt, command), name);
    }

    // One registered command kind: its name and how to read its commands.
    private abstract class CommandKind(string name)
    {
        public string Name { get; } = name;

        public abstract Type CommandType { get; }

        public abstract object? Read(JsonElement element);

        public abstract void Write(Utf8JsonWriter writer, object command);

        public abstract string Describe(JsonElement element, JsonException exception);
    }

    private sealed class CommandKind<TCommand>(string name, JsonTypeInfo<TCommand> typeInfo) : CommandKind(name)
    {
        public JsonTypeInfo<TCommand> TypeInfo { get; } = typeInfo;

        public override Type CommandType => typeof(TCommand);

        public override object? Read(JsonElement element) => element.Deserialize(TypeInfo);

        public override void Write(Utf8JsonWriter writer, object command) => JsonSerializer.Serialize(writer, (TCommand)command, TypeInfo);

        public override string Describe(JsonElement element, JsonException exception) => CommandReadError.Describe(element, TypeInfo, exception);
    }
}
