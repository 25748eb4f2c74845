namespace Reactive.Edits.Tests.Lifecycle;

/// <summary>An edit id is an idempotency key: unique, and as random as a version-4 GUID, so that no client can guess another's.</summary>
public sealed class EditIdTests
{
    [Fact]
    public void New_GivesVersion4GuidsOfTheRfcVariant()
    {
        for (var i = 0; i < 1_000; i++)
        {
            var text = EditId.New().ToString();

            text[14].Should().Be('4', "the version nibble of {0}", text);
            text[19].Should().BeOneOf(['8', '9', 'a', 'b'], "the variant bits of {0}", text);
        }
    }

    [Fact]
    public void New_OnSeveralThreadsAtOnce_NeverRepeatsAnId()
    {
        const int threads = 4;
        const int perThread = 5_000;
        using var start = new Barrier(threads);
        var made = new EditId[threads][];

        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var ids = new EditId[perThread];
            start.SignalAndWait();
            for (var i = 0; i < perThread; i++)
            {
                ids[i] = EditId.New();
            }
            made[t] = ids;
        })).ToList();
        workers.ForEach(worker => worker.Start());
        workers.ForEach(worker => worker.Join());

        made.SelectMany(ids => ids).Distinct().Should().HaveCount(threads * perThread);
    }

    [Fact]
    public void New_ConsecutiveIds_AgreeInFewBytes()
    {
        // Ids drawn from one buffer of random bytes are independent: no counter or shared prefix ties one to the next.
        var previous = EditId.New().Value.ToByteArray();
        for (var i = 0; i < 1_000; i++)
        {
            var next = EditId.New().Value.ToByteArray();
            var equalBytes = previous.Zip(next).Count(pair => pair.First == pair.Second);

            equalBytes.Should().BeLessThan(8, "two random ids agree in about 1 of their 16 bytes, not in half");
            previous = next;
        }
    }
}
