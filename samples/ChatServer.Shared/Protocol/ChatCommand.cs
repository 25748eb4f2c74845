namespace ChatServer.Shared.Protocol;

/// <summary>The commands of the chat's edits: <see cref="SendMessage"/>, <see cref="EditMessage"/> and
/// <see cref="DeleteMessage"/>. One edit set holds all three, so that one optimistic view shows a message with every
/// pending change to it; each goes on the wire as its own kind (<see cref="ChatProtocol"/>).</summary>
public abstract record ChatCommand;
