namespace ChatServer.Chat;

/// <summary>Demonstration options that make the optimistic UI visible on localhost: on in the Development profile
/// (<c>appsettings.Development.json</c>), off in production settings.</summary>
public sealed class DemoOptions
{
    /// <summary>Gets or sets the delay added before each send is applied.</summary>
    /// <value>Zero (off).</value>
    public TimeSpan Latency { get; set; }

    /// <summary>Gets or sets N such that every Nth send (counted over the whole server) is rejected.</summary>
    /// <value>0 (off).</value>
    public int FailEveryNth { get; set; }
}
