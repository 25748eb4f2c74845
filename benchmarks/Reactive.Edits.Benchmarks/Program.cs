using BenchmarkDotNet.Running;
using Reactive.Edits.Benchmarks;

// `report <results-dir> <png>` turns the CSV that a run wrote into the ratio table of docs/benchmarks.md and a chart;
// anything else goes to BenchmarkDotNet (e.g. `--filter '*' --job short`, `--list flat`).
if (args.Length > 0 && args[0] == "report")
{
    return Report.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, BenchmarkConfig.Create());
return 0;
