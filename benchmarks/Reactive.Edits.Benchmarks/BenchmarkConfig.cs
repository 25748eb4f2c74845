using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Reports;
using Perfolizer.Horology;
using Perfolizer.Metrology;

namespace Reactive.Edits.Benchmarks;

/// <summary>The configuration every scenario shares; the job comes from the command line (<c>--job short</c>, <c>--job dry</c>).</summary>
internal static class BenchmarkConfig
{
    // Plain numbers with the unit in the header (Mean [ns], Allocated [B]) so that the report command reads them back.
    private static readonly SummaryStyle CsvStyle = new(
        cultureInfo: CultureInfo.InvariantCulture,
        printUnitsInHeader: true,
        printUnitsInContent: false,
        timeUnit: TimeUnit.Nanosecond,
        sizeUnit: SizeUnit.B,
        ratioStyle: RatioStyle.Value);

    // The default configuration with its exporters replaced: GitHub markdown for the docs, and a CSV for the report command.
    public static IConfig Create()
    {
        var defaults = DefaultConfig.Instance;
        return ManualConfig.CreateEmpty()
            .AddColumnProvider([.. defaults.GetColumnProviders()])
            .AddLogger([.. defaults.GetLoggers()])
            .AddAnalyser([.. defaults.GetAnalysers()])
            .AddValidator([.. defaults.GetValidators()])
            .AddExporter(MarkdownExporter.GitHub, new CsvExporter(CsvSeparator.Comma, CsvStyle))
            .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Value))
            .WithOptions(ConfigOptions.DisableLogFile)

            // The generated project is built with the library; on a machine shared with other builds that can take longer
            // than BenchmarkDotNet's default two minutes, which fails every benchmark of the run.
            .WithBuildTimeout(TimeSpan.FromMinutes(10));
    }
}
