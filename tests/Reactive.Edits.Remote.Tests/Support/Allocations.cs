namespace Reactive.Edits.Remote.Tests.Support;

/// <summary>Readings of bytes allocated on the test's thread, for the allocation budgets.</summary>
internal static class Allocations
{
    /// <summary>Takes five readings and returns the least.</summary>
    /// <remarks>Beside other tests, a count of bytes allocated on this thread sometimes includes shared tables of the
    /// runtime that grow on whichever thread touches them. That only ever adds bytes, so the least of five readings is the
    /// code's own.</remarks>
    public static async Task<long> LeastOfFiveAsync(Func<Task<long>> measure)
    {
        var least = long.MaxValue;
        for (var i = 0; i < 5; i++)
        {
            least = Math.Min(least, await measure());
        }

        return least;
    }
}
