using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.JSInterop;
using Reactive.Edits;
using Reactive.Edits.Remote;

namespace ChatServer.Client;

/// <summary>Keeps the chat's unsent messages in the browser's <c>localStorage</c>, so that a reload or a closed tab
/// loses nothing: one item holding a JSON object of the journal's entries by edit id.</summary>
/// <remarks>
/// <para>Synchronous through <see cref="IJSInProcessRuntime"/> (WebAssembly runs in the page's thread, and
/// <c>localStorage</c> is synchronous), so an entry is stored before the send's <c>Request</c> returns.</para>
/// <para>Tabs of the same origin share the item: each restores what is stored and resends it with the same edit id,
/// which the server's ledger answers once.</para>
/// <para>An item that is not a JSON object of strings (edited by hand, written by another version) is left as it is and
/// reported by <see cref="Load"/> as a <see cref="FormatException"/>; nothing is overwritten until it is fixed or removed.</para>
/// </remarks>
internal sealed class LocalStorageUnsentMessages(IJSInProcessRuntime js) : IUnsettledEditStore
{
    /// <summary>The <c>localStorage</c> key of the item.</summary>
    public const string Key = "chat.unsent";

    public IReadOnlyList<string> Load() => [.. Read().Values];

    public void Save(EditId id, string entry)
    {
        var entries = Read();
        entries[id.ToString()] = entry;
        Write(entries);
    }

    public void Remove(EditId id)
    {
        var entries = Read();
        if (entries.Remove(id.ToString()))
        {
            Write(entries);
        }
    }

    private Dictionary<string, string> Read()
    {
        var item = js.Invoke<string?>("localStorage.getItem", Key);
        if (item is null)
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize(item, UnsentJson.Default.DictionaryStringString) ?? [];
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The localStorage item '{Key}' is not a JSON object of strings; it is left as it is.", ex);
        }
    }

    private void Write(Dictionary<string, string> entries)
    {
        if (entries.Count == 0)
        {
            js.InvokeVoid("localStorage.removeItem", Key);
        }
        else
        {
            js.InvokeVoid("localStorage.setItem", Key, JsonSerializer.Serialize(entries, UnsentJson.Default.DictionaryStringString));
        }
    }
}

[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class UnsentJson : JsonSerializerContext;
