namespace ChatServer.Shared.Protocol;

/// <summary>Server → client: a message was deleted by its author; it leaves every view and the history.</summary>
/// <param name="Id">The id of the deleted message.</param>
/// <param name="EditId">The id of the edit that deleted it.</param>
public sealed record MessageDeleted(Guid Id, Guid EditId);
