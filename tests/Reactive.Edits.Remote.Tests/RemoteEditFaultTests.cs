using CsCheck;
using Reactive.Edits.Remote;
using Reactive.Edits.Testing;

namespace Reactive.Edits.Remote.Tests;

/// <summary>Random network faults against the scripted server: unknown is never failed, and every edit takes effect exactly once.</summary>
public sealed class RemoteEditFaultTests
{
    private const int Iterations = 500;
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void RandomDropsDelaysDuplicatesAndDisconnects_EveryEditIsAppliedOnceAndAcceptedOnceAfterHealing()
    {
        var runs = 0;
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, 1_000_000]).Array[1, 50].Sample(
            steps =>
            {
                Interlocked.Increment(ref runs);
                Run(steps);
            },
            iter: Iterations);

        runs.Should().BeGreaterThanOrEqualTo(Iterations);
    }

    private static void Run((int Op, int Arg)[] steps)
    {
        var clock = new TestClock();
        using var edits = new EditSet<string>(EditSetOptions.Default, clock);
        using var client = new RemoteEditClient<string>(
            edits,
            new RemoteEditOptions { AckTimeout = AckTimeout, MaxSendAttempts = int.MaxValue, GiveUpAfter = Timeout.InfiniteTimeSpan },
            clock);
        using var server = new ScriptedEditServer<string>(client, clock);
        using var recorder = new EditRecorder<string>(edits, clock);
        var requested = new List<EditId>();
        var faults = new Queue<int>();

        // Each delivery consumes the next scripted fault, so the script is a pure function of the generated steps.
        server.Script = delivery => faults.TryDequeue(out var fault) ? Fault(fault) : ScriptedResponse.Accept;
        server.Connect();
        foreach (var (op, arg) in steps)
        {
            switch (op)
            {
                case 0:
                case 1:
                    faults.Enqueue(arg);
                    requested.Add(edits.Request($"edit {requested.Count}").Id);
                    break;
                case 2:
                    server.Disconnect();
                    break;
                case 3:
                    server.Connect();
                    break;
                default:
                    clock.AdvanceBy(TimeSpan.FromSeconds(arg % 25));
                    break;
            }

            recorder.Kinds.Should().NotContain(EditEventKind.Rejected, "a lost answer or connection leaves the outcome unknown, never failed");
        }

        // The network heals: every answer arrives from now on.
        faults.Clear();
        server.Connect();
        clock.AdvanceBy(AckTimeout * 2);

        edits.Items.Should().BeEmpty("every edit is accepted once the network heals");
        foreach (var id in requested)
        {
            recorder.KindsOf(id).Should().Equal(EditEventKind.Requested, EditEventKind.Started, EditEventKind.Accepted);
        }

        server.Applied.Select(r => r.Id).Should().OnlyHaveUniqueItems().And.BeEquivalentTo(requested, "each edit takes effect exactly once");
        recorder.Violations.Should().BeEmpty();
    }

    private static ScriptedResponse Fault(int arg) => (arg % 5) switch
    {
        0 => new ScriptedResponse { AckDelay = null },
        1 => new ScriptedResponse { AckCopies = 2, AckDelay = TimeSpan.FromSeconds(arg % 7) },
        2 => new ScriptedResponse { AckDelay = TimeSpan.FromSeconds(arg % 30), EchoDelay = TimeSpan.FromSeconds(arg % 11) },
        3 => new ScriptedResponse { AckDelay = TimeSpan.FromSeconds(arg % 3), EchoDelay = null },
        _ => ScriptedResponse.Accept,
    };
}
