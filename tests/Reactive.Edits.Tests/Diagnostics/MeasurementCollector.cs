using System.Diagnostics.Metrics;
using Reactive.Edits.Diagnostics;

namespace Reactive.Edits.Tests.Diagnostics;

/// <summary>Collects the library's measurements for one edit set, by its name tag.</summary>
/// <remarks>
/// Meter listeners are process-wide and xunit runs test classes in parallel, so every set under test gets a unique
/// name and only measurements tagged with it are kept; other sets' measurements are ignored.
/// </remarks>
public sealed class MeasurementCollector : IDisposable
{
    private readonly object _gate = new();
    private readonly List<Measurement> _measurements = [];
    private readonly MeterListener _listener = new();

    public MeasurementCollector()
    {
        SetName = $"metrics-test-{Guid.NewGuid():N}";
        _listener.InstrumentPublished = static (instrument, listener) =>
        {
            if (instrument.Meter.Name == EditDiagnostics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Collect(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Collect(instrument, value, tags));
        _listener.Start();
    }

    public string SetName { get; }

    public IReadOnlyList<Measurement> Measurements
    {
        get
        {
            lock (_gate)
            {
                return [.. _measurements];
            }
        }
    }

    /// <summary>Sums a counter's measurements, optionally only those with one outcome tag.</summary>
    public long Sum(string instrument, string? outcome = null) =>
        (long)Of(instrument, outcome).Sum(static m => m.Value);

    public IReadOnlyList<Measurement> Of(string instrument, string? outcome = null) =>
        [.. Measurements.Where(m => m.Instrument == instrument && (outcome is null || m.Outcome == outcome))];

    public void Dispose() => _listener.Dispose();

    private void Collect(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? set = null;
        string? outcome = null;
        foreach (var tag in tags)
        {
            if (tag.Key == EditDiagnostics.SetTag)
            {
                set = tag.Value as string;
            }
            else if (tag.Key == EditDiagnostics.OutcomeTag)
            {
                outcome = tag.Value as string;
            }
        }

        if (set != SetName)
        {
            return;
        }

        lock (_gate)
        {
            _measurements.Add(new Measurement(instrument.Name, value, outcome));
        }
    }

    public readonly record struct Measurement(string Instrument, double Value, string? Outcome);
}
