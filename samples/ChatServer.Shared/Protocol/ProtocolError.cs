namespace ChatServer.Shared.Protocol;

/// <summary>Tells the client that something it sent could not be understood (not an edit's rejection).</summary>
/// <param name="Code">A stable code, e.g. <see cref="ChatProtocol.Malformed"/>.</param>
/// <param name="Message">A message for people.</param>
public sealed record ProtocolError(string Code, string Message);
