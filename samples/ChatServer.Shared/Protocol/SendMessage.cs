namespace ChatServer.Shared.Protocol;

/// <summary>The command of a send edit: the text to post. The author is never part of it: the server takes the
/// user from the connection's identity.</summary>
/// <param name="Text">The message text, shown as text (never as HTML).</param>
public sealed record SendMessage(string Text) : ChatCommand;
