using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Reactive.Edits.Remote;

/// <summary>Writes an unsettled edit as one JSON text entry, and reads it back, with the command through the wire protocol's type info.</summary>
/// <remarks>
/// <c>{"id":"&lt;guid&gt;","kind":"&lt;kind&gt;","attempt":2,"requestedAt":"&lt;ISO 8601&gt;","command":{…},"error":{"code":"…","message":"…"}}</c>;
/// <c>kind</c> is empty for the protocol's default kind, and <c>error</c> is there only for a failed edit.
/// </remarks>
internal sealed class UnsettledEditCodec<TCommand>(EditWireProtocol protocol)
{
    private const int QuotedLength = 64;
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    public static RemoteError ErrorOf(Exception error) => error switch
    {
        RemoteEditRejectedException rejected => rejected.Error,
        RemoteEditGaveUpException gaveUp => new RemoteError(RemoteErrorCodes.GaveUp, gaveUp.Message),
        _ => new RemoteError(RemoteErrorCodes.Failed, error.Message),
    };

    public string Encode(Edit<TCommand> edit)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", edit.Id.Value);
            writer.WriteString("kind", protocol.KindNameOf(edit.Value));
            writer.WriteNumber("attempt", edit.Attempt);
            writer.WriteString("requestedAt", edit.RequestedAt);
            writer.WritePropertyName("command");
            protocol.WriteCommand(writer, edit.Value);
            if (edit.Status == EditStatus.Rejected && edit.Error is { } error)
            {
                var remote = ErrorOf(error);
                writer.WriteStartObject("error");
                writer.WriteString("code", remote.Code);
                writer.WriteString("message", remote.Message);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    // Reads an entry: its kind decides whether it is this codec's; a problem gives a reason, never an exception.
    public Decoded Decode(string entry)
    {
        try
        {
            using var document = JsonDocument.Parse(entry, DocumentOptions);
            return Decode(document.RootElement, entry);
        }
#pragma warning disable CA1031 // Invalid JSON or a command that does not fit its type (from any converter) is reported, never thrown.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Decoded.Malformed($"An unsettled edit could not be read ({ex.Message}): {Quote(entry)}");
        }
    }

    private static string Quote(string entry) => entry.Length <= QuotedLength ? entry : string.Concat(entry.AsSpan(0, QuotedLength), "…");

    private Decoded Decode(JsonElement root, string entry)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("kind", out var kindElement) || kindElement.ValueKind != JsonValueKind.String)
        {
            return Decoded.Malformed($"An unsettled edit needs a JSON object with a string 'kind': {Quote(entry)}");
        }

        // A kind this journal's commands do not have belongs to another journal over the same store.
        var kindName = kindElement.GetString()!;
        if (!protocol.IsKindOf<TCommand>(kindName))
        {
            return Decoded.OtherKind;
        }

        if (!root.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.String || !EditId.TryParse(idElement.GetString(), out var id)
            || !root.TryGetProperty("attempt", out var attemptElement) || attemptElement.ValueKind != JsonValueKind.Number || !attemptElement.TryGetInt32(out var attempt) || attempt < 1
            || !root.TryGetProperty("requestedAt", out var timeElement) || timeElement.ValueKind != JsonValueKind.String || !timeElement.TryGetDateTimeOffset(out var requestedAt)
            || !root.TryGetProperty("command", out var commandElement))
        {
            return Decoded.Malformed($"An unsettled edit needs a GUID 'id', a positive 'attempt', an ISO 8601 'requestedAt' and a 'command': {Quote(entry)}");
        }

        RemoteError? error = null;
        if (root.TryGetProperty("error", out var errorElement))
        {
            var code = errorElement.ValueKind == JsonValueKind.Object && errorElement.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            var message = errorElement.ValueKind == JsonValueKind.Object && errorElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            if (string.IsNullOrEmpty(code) || message is null)
            {
                return Decoded.Malformed($"An unsettled edit's 'error' needs a non-empty string 'code' and a string 'message': {Quote(entry)}");
            }

            error = new RemoteError(code, message);
        }

        var command = protocol.ReadCommand<TCommand>(kindName, commandElement);
        return command is null
            ? Decoded.Malformed($"An unsettled edit's command is null: {Quote(entry)}")
            : new Decoded(new UnsettledEdit(id, attempt, requestedAt, command, error), null);
    }

    public readonly record struct UnsettledEdit(EditId Id, int Attempt, DateTimeOffset RequestedAt, TCommand Command, RemoteError? Error);

    // Edit set: an entry of this kind; Problem set: a malformed entry; neither: an entry of another kind.
    public readonly record struct Decoded(UnsettledEdit? Edit, string? Problem)
    {
        public static Decoded OtherKind => default;

        public static Decoded Malformed(string problem) => new(null, problem);
    }
}
