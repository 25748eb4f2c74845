using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace ChatServer.LoadTest;

/// <summary>The bytes a server's managed heap keeps alive: a full, blocking GC induced in the server through its
/// diagnostics port (as <c>dotnet-gcdump</c> does), read from that GC's own statistics.</summary>
/// <remarks>Resident memory read between collections also counts the young generation's garbage and the heap's spare
/// room, which at 1,000 connections moves the per-connection figure by several KiB from run to run. The bytes that
/// survive a full GC are what the connections hold.</remarks>
public static class LiveHeap
{
    /// <summary>Induces a full GC in process <paramref name="processId"/> and returns the bytes that survived it (all
    /// generations, the large and pinned object heaps included).</summary>
    public static async Task<long> BytesAfterFullGcAsync(int processId, TimeSpan timeout)
    {
        var client = new DiagnosticsClient(processId);
        // GCHeapCollect makes the runtime collect as the session starts; GC makes it report that collection.
        var keywords = (long)(ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.GCHeapCollect);
        using var session = client.StartEventPipeSession(
            [new EventPipeProvider(ClrTraceEventParser.ProviderName, EventLevel.Informational, keywords)],
            requestRundown: false);
        var survived = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var source = new EventPipeEventSource(session.EventStream);
        var inducedFullGc = false;
        source.Clr.GCStart += start => inducedFullGc = start.Depth == 2 && start.Reason == GCReason.Induced;
        source.Clr.GCHeapStats += stats =>
        {
            // The statistics follow their collection's start; another collection the server ran meanwhile is skipped.
            if (inducedFullGc)
            {
                survived.TrySetResult(SurvivedBytes(stats));
            }
        };
        var reading = Task.Run(source.Process);
        try
        {
            return await survived.Task.WaitAsync(timeout);
        }
        finally
        {
            await session.StopAsync(CancellationToken.None);
            await reading;
        }
    }

    // After a full GC, what each generation promoted is what is alive in it: gen 0 and 1 into the next, gen 2 in place,
    // the large (3) and pinned (4) object heaps in place.
    private static long SurvivedBytes(GCHeapStatsTraceData stats) =>
        stats.TotalPromotedSize0 + stats.TotalPromotedSize1 + stats.TotalPromotedSize2 + stats.TotalPromotedSize3 + stats.TotalPromotedSize4;
}
