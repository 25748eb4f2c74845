namespace Reactive.Edits.Diagnostics;

/// <summary>Names the <see cref="System.Diagnostics.Metrics.Meter"/> and instruments the library reports to.</summary>
/// <remarks>
/// Every measurement is tagged <c>reactive_edits.set</c> with <see cref="EditSetOptions.Name"/>; settle-time and
/// settled-edit measurements also carry <c>reactive_edits.outcome</c> (<c>accepted</c>, <c>rejected</c>,
/// <c>timed_out</c>, <c>cancelled</c>, <c>superseded</c>). Enable them with
/// <c>MeterListener</c>, OpenTelemetry (<c>AddMeter(EditDiagnostics.MeterName)</c>) or <c>dotnet-counters</c>.
/// </remarks>
public static class EditDiagnostics
{
    /// <summary>The name of the meter: <c>Reactive.Edits</c>.</summary>
    public const string MeterName = "Reactive.Edits";

    /// <summary>The counter of requested edits (first attempts).</summary>
    public const string Requested = "reactive_edits.requested";

    /// <summary>The counter of accepted attempts.</summary>
    public const string Accepted = "reactive_edits.accepted";

    /// <summary>The counter of rejected attempts, timeouts included (outcome <c>timed_out</c>).</summary>
    public const string Rejected = "reactive_edits.rejected";

    /// <summary>The counter of cancelled and superseded attempts.</summary>
    public const string Cancelled = "reactive_edits.cancelled";

    /// <summary>The counter of retries of rejected edits.</summary>
    public const string Retried = "reactive_edits.retried";

    /// <summary>The counter of rejected edits discarded by the user.</summary>
    public const string Discarded = "reactive_edits.discarded";

    /// <summary>The counter of requests and retries the policy refused.</summary>
    public const string Refused = "reactive_edits.refused";

    /// <summary>The histogram of the time from an attempt's request to its settlement, in seconds on the set's scheduler clock.</summary>
    public const string SettleTime = "reactive_edits.settle_time";

    /// <summary>The counter of server handlers (Reactive.Edits.Remote) that failed with an exception other than a rejection; tagged <see cref="CommandTag"/>.</summary>
    public const string RemoteHandlerFailures = "reactive_edits.remote.handler_failures";

    /// <summary>The tag naming the command type of a remote measurement.</summary>
    public const string CommandTag = "reactive_edits.command";

    /// <summary>The tag naming the edit set.</summary>
    public const string SetTag = "reactive_edits.set";

    /// <summary>The tag naming the outcome.</summary>
    public const string OutcomeTag = "reactive_edits.outcome";
}
