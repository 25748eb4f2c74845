namespace ChatServer.LoadTest;

/// <summary>One kind of server under test: how its clients connect, send and receive.</summary>
public interface ILoadTarget : IAsyncDisposable
{
    /// <summary>Gets the name in the tables ("chat", "signalr", "floor").</summary>
    string Name { get; }

    /// <summary>Gets the server process (its CPU, memory and sockets).</summary>
    ServerProcess Server { get; }

    /// <summary>Gets the CPU seconds the server side has used so far (every process of it), or NaN when its processes
    /// are not ours to read.</summary>
    double ServerCpuSeconds() => Server.ProcessId is null ? double.NaN : Server.CpuSeconds();

    /// <summary>Connects client number <paramref name="client"/>, logged in as <paramref name="user"/> (a sender) or
    /// anonymous (a reader, when null), reporting what it receives to <paramref name="sink"/>.</summary>
    Task<ILoadConnection> ConnectAsync(int client, string? user, ILoadSink sink, CancellationToken cancellationToken);
}
