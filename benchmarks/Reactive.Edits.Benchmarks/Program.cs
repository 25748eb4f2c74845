using BenchmarkDotNet.Running;
using Reactive.Edits.Benchmarks;

// `report <results-dir> [png]` turns the CSV that a run wrote into the scaling table of docs/benchmarks.md and a chart;
// anything else goes to BenchmarkDotNet (e.g. `--filter '*' --job short`, `--job dry`, `--list flat`).
if (args.Length > 0 && args[0] == "report")
{
    return Report.Run(args[1..]);
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, BenchmarkConfig.Create()).ToList();
FloorGoals.Print(summaries);

// A benchmark that throws (e.g. the concurrent spenders' outcome check) must fail the process, so that a CI smoke run
// (`--job dry`) catches it; BenchmarkDotNet itself would only print it.
var failed = summaries.Any(summary => summary.HasCriticalValidationErrors || summary.Reports.Any(report => !report.Success));
return failed ? 1 : 0;
