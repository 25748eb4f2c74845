using System.Reactive;
using System.Reactive.Subjects;
using Microsoft.Extensions.Logging;

namespace ChatServer.Tests.Redis;

/// <summary>A logger that keeps its entries' event ids and signals each one, so that a test can await a log event
/// (e.g. a feed noticing an outage) instead of polling.</summary>
public sealed class SignallingLogger : ILogger
{
    private readonly List<EventId> _events = [];
    private readonly Subject<Unit> _written = new();

    public IObservable<Unit> Written => _written;

    public IReadOnlyList<EventId> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_events)
        {
            _events.Add(eventId);
        }
        lock (_written)
        {
            _written.OnNext(Unit.Default);
        }
    }
}
