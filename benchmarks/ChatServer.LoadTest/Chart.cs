using ScottPlot;

namespace ChatServer.LoadTest;

/// <summary>The chart of docs/benchmarks.md: seen-by-all latency (p50 and p99) against offered load, per server.</summary>
public static class Chart
{
    public static void LatencyAgainstLoad(IEnumerable<Modes.TargetOutcome> outcomes, double limitMilliseconds, string path)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        var plot = new Plot();
        var serverIndex = 0;
        foreach (var outcome in outcomes)
        {
            // One colour per server: p99 solid, p50 dashed.
            var color = plot.Add.Palette.GetColor(serverIndex++);
            // Steps the generator limited measure the generator: they are not drawn.
            var steps = outcome.Steps.Where(step => !double.IsNaN(step.SeenByAll.P99) && !step.GeneratorLimited).ToArray();
            var rates = steps.Select(step => Math.Log10(step.OfferedRate)).ToArray();
            foreach (var (label, values) in new[]
            {
                ("p99", steps.Select(step => Math.Log10(step.SeenByAll.P99)).ToArray()),
                ("p50", steps.Select(step => Math.Log10(step.SeenByAll.P50)).ToArray()),
            })
            {
                var scatter = plot.Add.Scatter(rates, values);
                scatter.LegendText = $"{outcome.Name} {label}";
                scatter.Color = color;
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
        plot.Title("Chat server, SignalR and the broadcast floor: latency against offered load");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 900, 560);
    }

    // Log axes with readable labels at 1-2-5 steps.
    private static ScottPlot.TickGenerators.NumericManual LogTicks()
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (var decade in new[] { 1, 10, 100, 1000, 10000 })
        {
            foreach (var step in new[] { 1, 2, 5 })
            {
                ticks.AddMajor(Math.Log10(decade * step), (decade * step).ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return ticks;
    }
}
