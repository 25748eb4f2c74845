using ScottPlot;

namespace ChatServer.LoadTest;

/// <summary>The chart of docs/benchmarks.md: seen-by-all latency (p50 and p99) against offered load, per server.</summary>
public static class Chart
{
    public static void LatencyAgainstLoad(IEnumerable<Modes.TargetOutcome> outcomes, double limitMilliseconds, string path)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        var plot = new Plot();
        foreach (var outcome in outcomes)
        {
            var steps = outcome.Steps.Where(step => !double.IsNaN(step.SeenByAll.P99)).ToArray();
            var rates = steps.Select(step => Math.Log10(step.OfferedRate)).ToArray();
            foreach (var (label, values) in new[]
            {
                ("p99", steps.Select(step => Math.Log10(step.SeenByAll.P99)).ToArray()),
                ("p50", steps.Select(step => Math.Log10(step.SeenByAll.P50)).ToArray()),
            })
            {
                var scatter = plot.Add.Scatter(rates, values);
                scatter.LegendText = $"{outcome.Name} {label}";
                scatter.LineWidth = 2;
                scatter.MarkerSize = 7;
                scatter.LinePattern = label == "p50" ? LinePattern.Dashed : LinePattern.Solid;
            }
        }
        var limit = plot.Add.HorizontalLine(Math.Log10(limitMilliseconds));
        limit.LegendText = $"{limitMilliseconds:N0} ms";
        limit.LinePattern = LinePattern.Dotted;
        plot.Axes.Bottom.TickGenerator = LogTicks();
        plot.Axes.Left.TickGenerator = LogTicks();
        plot.Axes.Bottom.Label.Text = "offered load (messages per second, each to every client; log)";
        plot.Axes.Left.Label.Text = "send → seen by every client (ms, log)";
        plot.Title("Chat server vs SignalR: latency against offered load");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 900, 560);
    }

    private static ScottPlot.TickGenerators.NumericAutomatic LogTicks() => new()
    {
        MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = value => Math.Pow(10, value).ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
    };
}
