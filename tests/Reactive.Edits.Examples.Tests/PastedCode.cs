using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Reactive.Edits.Examples.Tests;

/// <summary>Compiles a C# block of the documentation on its own, as a reader pastes it into a new project.</summary>
/// <remarks>
/// A block is a complete file: top-level statements (compiled as a console app) or type declarations (compiled as a
/// library, e.g. an xunit test class). It gets what a <c>net10.0</c> console project gives every file — the implicit
/// usings of the SDK, nullable reference types, the default language version, the SDK's System.Text.Json source
/// generator — and, as references, the assemblies this test runs with: the .NET and ASP.NET Core runtimes, the three
/// Reactive.Edits packages, System.Reactive, xunit and FluentAssertions.
/// </remarks>
internal static class PastedCode
{
    /// <summary>The namespaces a <c>net10.0</c> console project imports into every file (<c>ImplicitUsings=enable</c>).</summary>
    public static readonly IReadOnlyList<string> ImplicitUsings =
    [
        "System",
        "System.Collections.Generic",
        "System.IO",
        "System.Linq",
        "System.Net.Http",
        "System.Threading",
        "System.Threading.Tasks",
    ];

    // The SDK's default NoWarn: assembly-version unification notices, not problems of the code.
    private static readonly string[] SdkSuppressedWarnings = ["CS1701", "CS1702"];

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp14);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    private static readonly Lazy<ImmutableArray<ISourceGenerator>> Generators = new(LoadGenerators);

    /// <summary>Compiles <paramref name="block"/> as a file of its own and returns its errors and warnings.</summary>
    /// <param name="block">The block.</param>
    /// <param name="path">The name the diagnostics give the file, e.g. the Markdown document.</param>
    public static IReadOnlyList<Diagnostic> Compile(CodeBlock block, string path = "Program.cs")
    {
        var tree = CSharpSyntaxTree.ParseText(string.Join('\n', block.Lines), ParseOptions, path);
        var usings = CSharpSyntaxTree.ParseText(
            string.Concat(ImplicitUsings.Select(static name => $"global using {name};\n")), ParseOptions, "ImplicitUsings.g.cs");
        var hasStatements = tree.GetCompilationUnitRoot().Members.Any(static member => member is GlobalStatementSyntax);
        var options = new CSharpCompilationOptions(hasStatements ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary)
            .WithNullableContextOptions(NullableContextOptions.Enable)
            .WithSpecificDiagnosticOptions(SdkSuppressedWarnings.Select(static id => KeyValuePair.Create(id, ReportDiagnostic.Suppress)));
        var compilation = CSharpCompilation.Create("Pasted", [usings, tree], References.Value, options);
        CSharpGeneratorDriver.Create([.. Generators.Value], parseOptions: ParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var generated, out _);

        return generated.GetDiagnostics()
            .Where(static d => d.Severity >= DiagnosticSeverity.Warning)
            .OrderBy(static d => d.Location.SourceSpan.Start)
            .ToList();
    }

    /// <summary>Formats a diagnostic with its line in the Markdown document (<paramref name="block"/> starts on <see cref="CodeBlock.Line"/>).</summary>
    public static string Describe(Diagnostic diagnostic, CodeBlock block, string document)
    {
        var position = diagnostic.Location.GetLineSpan().StartLinePosition;
        var severity = diagnostic.Severity == DiagnosticSeverity.Error ? "error" : "warning";
        return $"{document}({block.Line + position.Line},{position.Character + 1}): {severity} {diagnostic.Id}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    // The runtime and every assembly of this test's dependency graph (the trusted platform assemblies of the test host),
    // plus the three packages' assemblies, named explicitly so that a change to the test's references cannot drop them.
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var trusted = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        string[] packages =
        [
            typeof(EditSet<>).Assembly.Location,
            typeof(Remote.RemoteEditClient<>).Assembly.Location,
            typeof(Testing.TestClock).Assembly.Location,
        ];

        return [.. trusted.Concat(packages)
            .Where(static path => path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .DistinctBy(static path => Path.GetFileName(path), StringComparer.OrdinalIgnoreCase)
            .Select(static path => (MetadataReference)MetadataReference.CreateFromFile(path))];
    }

    // The System.Text.Json source generator that the SDK passes to every build, from the targeting pack of this runtime's
    // major version (packs/Microsoft.NETCore.App.Ref/<version>/analyzers/dotnet/cs next to the shared runtime).
    private static ImmutableArray<ISourceGenerator> LoadGenerators()
    {
        var dotnetRoot = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var packs = Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref");
        var path = Directory.GetDirectories(packs, $"{Environment.Version.Major}.*")
            .Select(static version => Path.Combine(version, "analyzers", "dotnet", "cs", "System.Text.Json.SourceGeneration.dll"))
            .Where(File.Exists)
            .OrderByDescending(static file => Version.Parse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(file))))!)))
            .FirstOrDefault()
            ?? throw new FileNotFoundException($"No System.Text.Json source generator under {packs} for .NET {Environment.Version.Major}.");

        return [.. System.Reflection.Assembly.LoadFrom(path).GetTypes()
            .Where(static type => !type.IsAbstract && typeof(IIncrementalGenerator).IsAssignableFrom(type))
            .Select(static type => ((IIncrementalGenerator)Activator.CreateInstance(type)!).AsSourceGenerator())];
    }
}
