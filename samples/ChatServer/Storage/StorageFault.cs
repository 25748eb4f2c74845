namespace ChatServer.Storage;

/// <summary>What keeps the chat's database from storing messages: reported on /health and in the storage-unavailable rejects' logs.</summary>
/// <param name="Reason">What happened, naming the file but not where it lives (/health is public).</param>
/// <param name="Permanent"><see langword="true"/> when only a restart helps (a file was deleted or replaced);
/// <see langword="false"/> when the next successful write clears it (a full disk).</param>
public sealed record StorageFault(string Reason, bool Permanent);
