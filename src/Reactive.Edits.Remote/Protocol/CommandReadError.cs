using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Reactive.Edits.Remote;

/// <summary>Says why a command could not be read, in the protocol's terms: which property is missing, null or of the
/// wrong JSON kind. The serializer's own messages name .NET types and give developer hints, which a client must not
/// see; so they are never passed on.</summary>
internal static class CommandReadError
{
    /// <summary>Describes why <paramref name="element"/> is not a valid command of <paramref name="typeInfo"/>.</summary>
    /// <param name="element">The command as sent.</param>
    /// <param name="typeInfo">The command's contract.</param>
    /// <param name="exception">The serializer's exception; only its JSON path is used.</param>
    /// <returns>A sentence ending with a period, e.g. "property 'text' is missing.".</returns>
    public static string Describe(JsonElement element, JsonTypeInfo typeInfo, JsonException? exception)
    {
        if (typeInfo.Kind == JsonTypeInfoKind.Object)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                return $"it must be a JSON object, not {KindOf(element.ValueKind)}.";
            }

            foreach (var property in typeInfo.Properties)
            {
                if (Describe(element, typeInfo.Options, property) is { } problem)
                {
                    return problem;
                }
            }
        }

        return exception?.Path is { Length: > 1 } path ? $"the value at {path} is not valid." : "it is not a valid command.";
    }

    private static string? Describe(JsonElement command, JsonSerializerOptions options, JsonPropertyInfo property)
    {
        if (!TryGetProperty(command, property.Name, options.PropertyNameCaseInsensitive, out var value))
        {
            return IsRequired(property, options) ? $"property '{property.Name}' is missing." : null;
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            return AcceptsNull(property, options) ? null : $"property '{property.Name}' must not be null.";
        }

        var expected = ExpectedKind(property.PropertyType, options);
        return expected is null || Matches(expected.Value, value.ValueKind)
            ? null
            : $"property '{property.Name}' must be {KindOf(expected.Value)}, not {KindOf(value.ValueKind)}.";
    }

    private static bool TryGetProperty(JsonElement command, string name, bool caseInsensitive, out JsonElement value)
    {
        foreach (var candidate in command.EnumerateObject())
        {
            if (string.Equals(candidate.Name, name, caseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
            {
                value = candidate.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    private static bool IsRequired(JsonPropertyInfo property, JsonSerializerOptions options)
    {
#if NET9_0_OR_GREATER
        if (options.RespectRequiredConstructorParameters && property.AssociatedParameter is { HasDefaultValue: false })
        {
            return true;
        }
#else
        _ = options;
#endif
        return property.IsRequired;
    }

    private static bool AcceptsNull(JsonPropertyInfo property, JsonSerializerOptions options)
    {
        if (property.PropertyType.IsValueType && Nullable.GetUnderlyingType(property.PropertyType) is null)
        {
            return false;
        }
#if NET9_0_OR_GREATER
        if (options.RespectNullableAnnotations && (!property.IsSetNullable || property.AssociatedParameter is { IsNullable: false }))
        {
            return false;
        }
#else
        _ = options;
#endif
        return true;
    }

    // The JSON kind a property's type is written as, where it is plain; null where a converter may accept several.
    private static JsonValueKind? ExpectedKind(Type type, JsonSerializerOptions options)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string) || type == typeof(char) || type == typeof(Guid) || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Uri))
        {
            return JsonValueKind.String;
        }

        if (type == typeof(bool))
        {
            return JsonValueKind.True;
        }

        if (type == typeof(int) || type == typeof(long) || type == typeof(double) || type == typeof(decimal) || type == typeof(float)
            || type == typeof(short) || type == typeof(byte) || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(sbyte))
        {
            return JsonValueKind.Number;
        }

        if (!options.TryGetTypeInfo(type, out var typeInfo))
        {
            return null;
        }

        return typeInfo.Kind switch
        {
            JsonTypeInfoKind.Enumerable => JsonValueKind.Array,
            JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary => JsonValueKind.Object,
            _ => null,
        };
    }

    private static bool Matches(JsonValueKind expected, JsonValueKind actual) =>
        expected == actual || (expected == JsonValueKind.True && actual == JsonValueKind.False);

    private static string KindOf(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true or false",
        JsonValueKind.Null => "null",
        _ => "a value",
    };
}
