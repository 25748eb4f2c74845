namespace Reactive.Edits.Tests.Runtime;

/// <summary>The library's tests run once per target: each run is on the runtime of its target, against that target's build.</summary>
public sealed class TargetRuntimeTests
{
    [Fact]
    public void TestRun_RunsOnTheRuntimeOfItsTargetAgainstThatTargetsBuild()
    {
#if NET10_0_OR_GREATER
        const int expected = 10;
#else
        const int expected = 8;
#endif
        var library = typeof(EditSet<>).Assembly;
        var target = library.GetCustomAttributes(typeof(System.Runtime.Versioning.TargetFrameworkAttribute), false)
            .Cast<System.Runtime.Versioning.TargetFrameworkAttribute>()
            .Single();

        Environment.Version.Major.Should().Be(expected);
        target.FrameworkName.Should().Be($".NETCoreApp,Version=v{expected}.0");
    }
}
