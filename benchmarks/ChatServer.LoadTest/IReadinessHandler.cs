namespace ChatServer.LoadTest;

/// <summary>What <see cref="ReadinessLoop"/> calls, on its one thread, when a watched socket has bytes or has closed.</summary>
public interface IReadinessHandler
{
    void OnReadable();
}
