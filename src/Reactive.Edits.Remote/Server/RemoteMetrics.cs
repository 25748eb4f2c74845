using System.Diagnostics.Metrics;
using Reactive.Edits.Diagnostics;

namespace Reactive.Edits.Remote;

/// <summary>The remote layer's instruments, on the core's meter (<see cref="EditDiagnostics.MeterName"/>).</summary>
internal static class RemoteMetrics
{
    private static readonly Counter<long> HandlerFailuresCounter =
        EditMetrics.Meter.CreateCounter<long>(EditDiagnostics.RemoteHandlerFailures, "{edit}", "Server edit handlers that failed with an exception other than a rejection.");

    public static void HandlerFailed(Type commandType) =>
        HandlerFailuresCounter.Add(1, new KeyValuePair<string, object?>(EditDiagnostics.CommandTag, commandType.Name));
}
