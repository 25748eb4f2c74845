using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ChatServer.Tests.Support;

/// <summary>Records what the host logs, so that a test can assert that bad input never made the server log an error.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();
    private readonly System.Reactive.Subjects.Subject<System.Reactive.Unit> _written = new();

    /// <summary>Signals each entry, once it is in <see cref="Entries"/>: a test waits on a condition the server logs.</summary>
    public IObservable<System.Reactive.Unit> Written => _written;

    /// <summary>Every entry so far, in order.</summary>
    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    /// <summary>The entries at <see cref="LogLevel.Error"/> or <see cref="LogLevel.Critical"/>.</summary>
    public IReadOnlyList<LogEntry> Errors => [.. _entries.Where(e => e.Level >= LogLevel.Error)];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            capture._entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception), exception));
            lock (capture._written)
            {
                capture._written.OnNext(System.Reactive.Unit.Default);
            }
        }
    }
}

/// <summary>One log entry.</summary>
public sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception)
{
    public override string ToString() => $"{Level} {Category}[{EventId.Id}]: {Message} {Exception}";
}
