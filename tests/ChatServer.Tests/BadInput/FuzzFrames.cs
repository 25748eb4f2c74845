using System.Net.WebSockets;
using System.Text;

namespace ChatServer.Tests.BadInput;

/// <summary>Makes random and mutated client frames from one seeded <see cref="Random"/>: valid edits, bit flips,
/// truncations, swapped fields, changed types, huge numbers, deep nesting, random bytes, text and binary.</summary>
public sealed class FuzzFrames(int seed)
{
    private static readonly string[] Types = ["edit", "ack", "reject", "error", "message", "welcome", "history", "presence", "EDIT", "", " edit", "edit\u0000"];
    private static readonly string[] Numbers = ["0", "-1", "1.5", "2147483647", "2147483648", "-2147483649", "1e308", "1e400", "-0", "99999999999999999999999999999", "0x10", "NaN", "Infinity", "1E+2"];
    private static readonly string[] Strings = ["", " ", "\\u0000", "\\ud800", "\\udfff\\ud800", "\\\"", "<script>alert(1)</script>", "🙂🙂🙂", "\\n\\r\\t", "null", "{}", "00000000-0000-0000-0000-000000000000"];

    private readonly Random _random = new(seed);
    private readonly List<Guid> _usedIds = [];

    /// <summary>How many frames of each kind were made.</summary>
    public Dictionary<string, int> Made { get; } = [];

    public Queue<string> LastKinds { get; } = new();

    /// <summary>Makes the next frame.</summary>
    public (byte[] Data, WebSocketMessageType Type) Next()
    {
        var kind = _random.Next(100);
        var (name, frame) = kind switch
        {
            < 10 => ("valid", Text(ValidEdit())),
            < 14 => ("resend-or-conflict", Text(ReusedEdit())),
            < 26 => ("bit-flip", Text(FlipBits(Encoding.UTF8.GetBytes(ValidEdit())))),
            < 36 => ("truncated", Text(Truncate(ValidEdit()))),
            < 44 => ("field-swap", Text(SwapFields())),
            < 52 => ("type-change", Text(ChangeType())),
            < 60 => ("huge-number", Text(HugeNumber())),
            < 66 => ("deep-nesting", Text(DeepNesting())),
            < 76 => ("random-json", Text(RandomJson(depth: 0))),
            < 82 => ("random-text", Text(RandomText())),
            < 88 => ("random-bytes", (RandomBytes(), WebSocketMessageType.Binary)),
            < 92 => ("binary-edit", (Encoding.UTF8.GetBytes(ValidEdit()), WebSocketMessageType.Binary)),
            < 96 => ("odd-strings", Text(OddStrings())),
            < 99 => ("duplicate-keys", Text(DuplicateKeys())),
            _ => _random.Next(4) == 0
                ? ("oversized", Text(Edit(NewId(), 1, $$"""{"text":"{{new string('x', 70_000)}}"}""")))
                : ("invalid-utf8", (InvalidUtf8(), WebSocketMessageType.Text)),
        };
        Made[name] = Made.GetValueOrDefault(name) + 1;
        LastKinds.Enqueue(name);
        if (LastKinds.Count > 16)
        {
            LastKinds.Dequeue();
        }
        return frame;
    }

    // Ids from the seeded generator too, so that a seed replays the same frames.
    private Guid NewId()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        return new Guid(bytes);
    }

    private static (byte[], WebSocketMessageType) Text(string json) => (Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text);

    private static (byte[], WebSocketMessageType) Text(byte[] data) => (data, WebSocketMessageType.Text);

    private static string Edit(Guid id, int attempt, string command) =>
        $$"""{"type":"edit","id":"{{id}}","attempt":{{attempt}},"command":{{command}}}""";

    private string ValidEdit()
    {
        var id = NewId();
        _usedIds.Add(id);
        return Edit(id, 1 + _random.Next(3), $$"""{"text":"fuzz {{_random.Next()}}"}""");
    }

    // A resend (same id and attempt), a later attempt, or the same id with another command.
    private string ReusedEdit()
    {
        if (_usedIds.Count == 0)
        {
            return ValidEdit();
        }
        var id = _usedIds[_random.Next(_usedIds.Count)];
        return Edit(id, 1 + _random.Next(3), $$"""{"text":"fuzz {{_random.Next(3)}}"}""");
    }

    // Flips low bits of ASCII bytes only, so the frame stays valid UTF-8 and reaches the JSON decoder.
    private byte[] FlipBits(byte[] data)
    {
        for (var flips = 1 + _random.Next(5); flips > 0; flips--)
        {
            var at = _random.Next(data.Length);
            data[at] ^= (byte)(1 << _random.Next(7));
        }
        return data;
    }

    private string Truncate(string json) => json[.._random.Next(json.Length)];

    private string SwapFields()
    {
        string[] values = ["\"edit\"", $"\"{NewId()}\"", "1", """{"text":"swapped"}""", "null", "[]"];
        var shuffled = values.OrderBy(_ => _random.Next()).ToArray();
        return $$"""{"type":{{shuffled[0]}},"id":{{shuffled[1]}},"attempt":{{shuffled[2]}},"command":{{shuffled[3]}}}""";
    }

    private string ChangeType()
    {
        var type = _random.Next(4) switch
        {
            0 => "42",
            1 => "null",
            2 => """{"type":"edit"}""",
            _ => $"\"{Types[_random.Next(Types.Length)]}\"",
        };
        return $$$"""{"type":{{{type}}},"id":"{{{NewId()}}}","attempt":1,"command":{"text":"typed"},"code":"x","message":"y","payload":{}}""";
    }

    private string HugeNumber()
    {
        var number = Numbers[_random.Next(Numbers.Length)];
        return _random.Next(3) switch
        {
            0 => Edit(NewId(), 1, $$"""{"text":{{number}}}"""),
            1 => $$$"""{"type":"edit","id":{{{number}}},"attempt":1,"command":{"text":"n"}}""",
            _ => $$$"""{"type":"edit","id":"{{{NewId()}}}","attempt":{{{number}}},"command":{"text":"n"}}""",
        };
    }

    private string DeepNesting()
    {
        var depth = _random.Next(1, 300);
        var open = _random.Next(2) == 0 ? "[" : "{\"a\":";
        var close = open == "[" ? "]" : "}";
        var nested = string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));
        return Edit(NewId(), 1, $$"""{"text":"deep","extra":{{nested}}}""");
    }

    private string RandomJson(int depth)
    {
        switch (_random.Next(depth > 4 ? 4 : 7))
        {
            case 0: return Numbers[_random.Next(Numbers.Length)] is var n && n is not ("NaN" or "Infinity" or "0x10") ? n : "7";
            case 1: return $"\"{Strings[_random.Next(Strings.Length)]}\"";
            case 2: return _random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" };
            case 3: return $"\"{Types[_random.Next(Types.Length)]}\"";
            case 4:
            case 5:
                var names = new[] { "type", "id", "attempt", "command", "text", "payload", "code", "message", "user" };
                var members = Enumerable.Range(0, _random.Next(6)).Select(_ => $"\"{names[_random.Next(names.Length)]}\":{RandomJson(depth + 1)}");
                return "{" + string.Join(',', members) + "}";
            default:
                return "[" + string.Join(',', Enumerable.Range(0, _random.Next(4)).Select(_ => RandomJson(depth + 1))) + "]";
        }
    }

    private string RandomText()
    {
        var chars = new char[_random.Next(0, 200)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)_random.Next(0x20, 0x7F);
        }
        return new string(chars);
    }

    private byte[] RandomBytes()
    {
        var bytes = new byte[_random.Next(0, 512)];
        _random.NextBytes(bytes);
        return bytes;
    }

    private string OddStrings()
    {
        var text = _random.Next(3) switch
        {
            0 => Strings[_random.Next(Strings.Length)],
            1 => new string('y', 495 + _random.Next(10)),
            _ => string.Concat(Enumerable.Repeat("🙂", 240 + _random.Next(20))),
        };
        return Edit(NewId(), 1, $$"""{"text":"{{text}}","user":"mallory"}""");
    }

    private string DuplicateKeys() =>
        $$$"""{"type":"edit","type":"ack","id":"{{{NewId()}}}","id":"{{{NewId()}}}","attempt":1,"attempt":2,"command":{"text":"a","text":"b"}}""";

    private byte[] InvalidUtf8()
    {
        var data = Encoding.UTF8.GetBytes(ValidEdit());
        data[_random.Next(data.Length)] = (byte)(0x80 | _random.Next(0x40));
        return data;
    }
}
