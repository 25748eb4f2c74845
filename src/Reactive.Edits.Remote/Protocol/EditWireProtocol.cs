using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Reactive.Edits.Remote;

/// <summary>Encodes and decodes the default wire protocol: JSON text messages with a <c>type</c> discriminator, edits and their answers multiplexed with the application's own messages.</summary>
/// <typeparam name="TCommand">The type of the edits' commands.</typeparam>
/// <remarks>
/// <list type="table">
/// <listheader><term>message</term><description>shape</description></listheader>
/// <item><term>edit (client → server)</term><description><c>{"type":"edit","id":"&lt;guid&gt;","attempt":1,"command":&lt;TCommand&gt;}</c></description></item>
/// <item><term>ack (server → client)</term><description><c>{"type":"ack","id":"&lt;guid&gt;","attempt":1}</c></description></item>
/// <item><term>reject (server → client)</term><description><c>{"type":"reject","id":"&lt;guid&gt;","attempt":1,"code":"…","message":"…"}</c></description></item>
/// <item><term>anything else</term><description><c>{"type":"&lt;name&gt;","payload":…}</c>, passed through to the application as <see cref="WireMessageKind.Message"/></description></item>
/// </list>
/// <para>Trimming- and AOT-safe: the envelopes are written and read with <see cref="Utf8JsonWriter"/> and <see cref="JsonDocument"/>,
/// and the command goes through the <see cref="JsonTypeInfo{T}"/> the application supplies (from its source-generated
/// <c>JsonSerializerContext</c>); nothing uses reflection.</para>
/// <para><see cref="Decode(ChannelMessage)"/> never throws on bad input: invalid JSON, a missing or ill-typed field, or a
/// command the type info cannot read all give a <see cref="WireMessageKind.Malformed"/> result with the reason.</para>
/// <para>Thread safety: an instance is immutable and may be shared.</para>
/// <example>
/// <code>
/// [JsonSerializable(typeof(SendMessage))]
/// partial class ChatJson : JsonSerializerContext;
///
/// var protocol = new EditWireProtocol&lt;SendMessage&gt;(ChatJson.Default.SendMessage);
/// ChannelMessage frame = protocol.EncodeEdit(new EditRequest&lt;SendMessage&gt;(EditId.New(), 1, new SendMessage("hi")));
/// WireMessage&lt;SendMessage&gt; decoded = protocol.Decode(frame);   // decoded.Kind == WireMessageKind.Edit
/// </code>
/// </example>
/// </remarks>
public sealed class EditWireProtocol<TCommand>
{
    internal const string EditType = "edit";
    internal const string AckType = "ack";
    internal const string RejectType = "reject";

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    private readonly JsonTypeInfo<TCommand> _commandTypeInfo;

    /// <summary>Initializes the protocol with the JSON contract of the command type.</summary>
    /// <param name="commandTypeInfo">The command's type info, normally from a source-generated <c>JsonSerializerContext</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="commandTypeInfo"/> is <see langword="null"/>.</exception>
    public EditWireProtocol(JsonTypeInfo<TCommand> commandTypeInfo)
    {
        ArgumentNullException.ThrowIfNull(commandTypeInfo);
        _commandTypeInfo = commandTypeInfo;
    }

    /// <summary>Encodes an edit envelope.</summary>
    /// <param name="request">The envelope.</param>
    /// <returns>A text message.</returns>
    public ChannelMessage EncodeEdit(EditRequest<TCommand> request) =>
        Write((Protocol: this, Request: request), static (writer, state) =>
        {
            writer.WriteString("type", EditType);
            writer.WriteString("id", state.Request.Id.Value);
            writer.WriteNumber("attempt", state.Request.Attempt);
            writer.WritePropertyName("command");
            JsonSerializer.Serialize(writer, state.Request.Command, state.Protocol._commandTypeInfo);
        });

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
    public WireMessage<TCommand> Decode(ChannelMessage message)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message.Data, DocumentOptions);
        }
        catch (JsonException ex)
        {
            return WireMessage<TCommand>.ForMalformed($"Invalid JSON: {ex.Message}");
        }

        using (document)
        {
            try
            {
                return Decode(document.RootElement);
            }
#pragma warning disable CA1031 // A user-supplied converter may throw anything; bad input must give a result, never an exception.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                // Valid JSON whose command does not fit TCommand (a wrongly typed or missing field): not "invalid JSON".
                return WireMessage<TCommand>.ForMalformed($"The command could not be read: {ex.Message}");
            }
        }
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

    private WireMessage<TCommand> Decode(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return WireMessage<TCommand>.ForMalformed("A message must be a JSON object.");
        }

        var type = GetString(root, "type");
        if (string.IsNullOrEmpty(type))
        {
            return WireMessage<TCommand>.ForMalformed("A message needs a non-empty string property 'type'.");
        }

        if (type is not (EditType or AckType or RejectType))
        {
            var payload = root.TryGetProperty("payload", out var element) ? element.Clone() : default;
            return WireMessage<TCommand>.ForMessage(type, payload);
        }

        if (!TryGetId(root, out var id))
        {
            return WireMessage<TCommand>.ForMalformed($"A '{type}' message needs an 'id' that is a GUID string.");
        }

        if (!TryGetAttempt(root, out var attempt))
        {
            return WireMessage<TCommand>.ForMalformed($"A '{type}' message needs an 'attempt' that is a positive integer.");
        }

        switch (type)
        {
            case EditType:
                if (!root.TryGetProperty("command", out var commandElement))
                {
                    return WireMessage<TCommand>.ForMalformed("An 'edit' message needs a 'command'.");
                }

                var command = commandElement.Deserialize(_commandTypeInfo);
                return command is null
                    ? WireMessage<TCommand>.ForMalformed("An 'edit' message's command is null.")
                    : WireMessage<TCommand>.ForEdit(new EditRequest<TCommand>(id, attempt, command));

            case AckType:
                return WireMessage<TCommand>.ForReply(new EditReply(id, attempt, EditOutcome.Accepted));

            default:
                var code = GetString(root, "code");
                var text = GetString(root, "message");
                return string.IsNullOrEmpty(code) || text is null
                    ? WireMessage<TCommand>.ForMalformed("A 'reject' message needs a non-empty string 'code' and a string 'message'.")
                    : WireMessage<TCommand>.ForReply(new EditReply(id, attempt, EditOutcome.Rejected(new RemoteError(code, text))));
        }
    }
}
