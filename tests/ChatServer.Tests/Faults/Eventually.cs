namespace ChatServer.Tests.Faults;

/// <summary>Awaits a condition by polling, with a generous bound: no fixed sleeps in the tests.</summary>
public static class Eventually
{
    public static async Task HoldsAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var started = DateTime.UtcNow;
        while (!condition())
        {
            if (DateTime.UtcNow - started > limit)
            {
                throw new TimeoutException($"Still not true after {limit.TotalSeconds:0} s: {what}.");
            }
            await Task.Delay(10);
        }
    }
}
