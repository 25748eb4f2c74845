namespace ChatServer.Shared.Protocol;

/// <summary>The answer of <c>/auth</c> and <c>/auth/me</c>.</summary>
/// <param name="User">The logged-in user name, or <see langword="null"/> when anonymous or refused.</param>
/// <param name="Error">Why the login was refused, or <see langword="null"/>.</param>
public sealed record AuthResult(string? User, string? Error);
