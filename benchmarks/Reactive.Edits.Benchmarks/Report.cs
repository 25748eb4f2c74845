using System.Globalization;
using ScottPlot;

namespace Reactive.Edits.Benchmarks;

/// <summary>Reads the CSV reports of a run and prints the scaling ratios of docs/benchmarks.md; draws the merge-cost chart.</summary>
/// <remarks>Usage: <c>report &lt;results folder&gt; [chart.png]</c>, the folder being BenchmarkDotNet.Artifacts/results.</remarks>
internal static class Report
{
    public static int Run(string[] args)
    {
        if (args.Length < 1 || !Directory.Exists(args[0]))
        {
            Console.Error.WriteLine("usage: report <BenchmarkDotNet.Artifacts/results folder> [merge-cost.png]");
            return 2;
        }

        var merge = Directory.GetFiles(args[0], "*OptimisticMergeBenchmarks-report.csv").SingleOrDefault();
        if (merge is null)
        {
            Console.Error.WriteLine("no OptimisticMergeBenchmarks report in " + args[0]);
            return 1;
        }

        var rows = ReadCsv(merge);
        var series = rows
            .GroupBy(row => row.TryGetValue("Keys", out var keys) ? $"{row["Method"]} ({keys})" : row["Method"])
            .ToDictionary(
                group => group.Key,
                group => group
                    .Select(row => (Size: int.Parse(row["Size"], CultureInfo.InvariantCulture), MeanNs: ParseNumber(row["Mean [ns]"])))
                    .OrderBy(point => point.Size)
                    .ToArray());

        Console.WriteLine("| method | mean at smallest size (ns) | mean at largest size (ns) | largest / smallest |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (method, points) in series.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            var first = points[0];
            var last = points[^1];
            Console.WriteLine(FormattableString.Invariant(
                $"| {method}, {first.Size:N0} → {last.Size:N0} | {first.MeanNs:N1} | {last.MeanNs:N1} | {last.MeanNs / first.MeanNs:N2} |"));
        }

        if (args.Length > 1)
        {
            Chart(series, args[1]);
            Console.WriteLine("chart written to " + args[1]);
        }

        return 0;
    }

    private static void Chart(Dictionary<string, (int Size, double MeanNs)[]> series, string path)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();

        // One colour per implementation and scenario ("Library_AuthoritativeChange"), one line style per key order,
        // so that the two curves of a row are told apart by style and the rows by colour.
        static string FamilyOf(string method) => method.Split(' ')[0];
        var families = series.Keys.Select(FamilyOf).Distinct().Order(StringComparer.Ordinal).ToList();
        foreach (var (method, points) in series.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            var sequential = method.Contains("Sequential", StringComparison.Ordinal);

            // Log-log axes: a flat line is constant cost per change, a slope of one is cost proportional to size.
            var scatter = plot.Add.Scatter(
                points.Select(point => Math.Log10(point.Size)).ToArray(),
                points.Select(point => Math.Log10(point.MeanNs)).ToArray());
            scatter.LegendText = method;
            scatter.Color = palette.GetColor(families.IndexOf(FamilyOf(method)));
            scatter.LineWidth = 2;
            scatter.LinePattern = sequential ? LinePattern.Dashed : LinePattern.Solid;
            scatter.MarkerShape = sequential ? MarkerShape.OpenSquare : MarkerShape.FilledCircle;
            scatter.MarkerSize = 8;
        }

        plot.Axes.Bottom.TickGenerator = LogTicks("N0");
        plot.Axes.Left.TickGenerator = LogTicks("N0");
        plot.Axes.Bottom.Label.Text = "items in the view";
        plot.Axes.Left.Label.Text = "time per change (ns)";
        plot.Title("Optimistic merge: cost of one change against view size (log-log)");
        plot.ShowLegend(Edge.Right);
        plot.SavePng(path, 1200, 600);
    }

    private static ScottPlot.TickGenerators.NumericAutomatic LogTicks(string format) => new()
    {
        MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = value => Math.Pow(10, value).ToString(format, CultureInfo.InvariantCulture),
    };

    private static double ParseNumber(string text) =>
        double.Parse(text.Replace(",", string.Empty, StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static List<Dictionary<string, string>> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = SplitCsv(lines[0]);
        var rows = new List<Dictionary<string, string>>();
        foreach (var line in lines.Skip(1).Where(line => line.Length > 0))
        {
            var cells = SplitCsv(line);
            rows.Add(header.Zip(cells).ToDictionary(pair => pair.First, pair => pair.Second, StringComparer.Ordinal));
        }

        return rows;
    }

    private static List<string> SplitCsv(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }
}
