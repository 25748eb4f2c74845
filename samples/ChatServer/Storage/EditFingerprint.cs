using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ChatServer.Shared.Protocol;

namespace ChatServer.Storage;

/// <summary>What the ledger compares to tell a resend (same id, same command) from a conflicting reuse of an edit id.</summary>
/// <remarks>A send's fingerprint is its text, as the first version of the store kept it; an edit's and a deletion's
/// name their kind and message, so an id reused for another kind of command is a conflict too.</remarks>
public static class EditFingerprint
{
    /// <summary>Returns the fingerprint of a command.</summary>
    /// <param name="command">The command.</param>
    /// <returns>The text to store and compare.</returns>
    public static string Of(ChatCommand command) => command switch
    {
        SendMessage send => send.Text,
        EditMessage edit => string.Create(CultureInfo.InvariantCulture, $"{ChatProtocol.EditMessageKind}\n{edit.MessageId:D}\n{edit.BaseRevision}\n{edit.Text}"),
        DeleteMessage delete => string.Create(CultureInfo.InvariantCulture, $"{ChatProtocol.DeleteMessageKind}\n{delete.MessageId:D}"),
        _ => throw new ArgumentException($"Unknown command type {command.GetType().Name}.", nameof(command)),
    };

    /// <summary>Returns the SHA-256 of a text, in hex: what is kept of a deleted message's text, so that a late resend of
    /// the send that created it is still recognized as a resend, while the text itself is gone.</summary>
    /// <param name="text">The text.</param>
    /// <returns>64 hex digits.</returns>
    public static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
