namespace ChatServer.Chat;

/// <summary>A setting the chat cannot start with (a store path it cannot use, a database another server holds); the
/// message names the option, the value and the reason. <c>Program.cs</c> prints it and exits with code 1.</summary>
public sealed class ChatStartupException : InvalidOperationException
{
    public ChatStartupException(string message)
        : base(message)
    {
    }

    public ChatStartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ChatStartupException()
    {
    }
}
