using HdrHistogram;

namespace ChatServer.LoadTest;

/// <summary>Latency percentiles in milliseconds (NaN when nothing was recorded).</summary>
public sealed record Percentiles(long Count, double P50, double P99, double P999, double Max)
{
    public static Percentiles Of(LongHistogram histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        var count = histogram.TotalCount;
        return count == 0
            ? new Percentiles(0, double.NaN, double.NaN, double.NaN, double.NaN)
            : new Percentiles(count,
                histogram.GetValueAtPercentile(50) / 1000.0,
                histogram.GetValueAtPercentile(99) / 1000.0,
                histogram.GetValueAtPercentile(99.9) / 1000.0,
                histogram.GetMaxValue() / 1000.0);
    }
}
