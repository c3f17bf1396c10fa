using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DPoP.Http.Tests.Architecture;

/// <summary>
/// The layers of src/DPoP.Http point one way — Core ← Http ← Tokens ← DependencyInjection — and internals say so.
/// The library's sources are bound with Roslyn, and every name in a file of one layer that resolves to a type
/// declared in a higher layer's folder is a violation.
/// </summary>
[Category("Slow")]
internal sealed class LayerTests
{
    private static readonly string[] Layers = ["Core", "Http", "Tokens", "DependencyInjection"];

    private static readonly Lazy<string> LibraryDirectory = new(FindLibraryDirectory);

    [Test]
    public void Sources_EachLayer_ReferencesOnlyItselfAndTheLayersBelow()
    {
        var (violations, references) = FindViolations(ReadLibrarySources());

        Assert.Multiple(() =>
        {
            Assert.That(references, Is.GreaterThan(500), "the sources were bound: names resolved to the library's own types");
            Assert.That(violations, Is.Empty);
        });
    }

    [Test]
    public void Sources_ACoreFileThatUsesTheHandler_IsReported()
    {
        // The check itself can fail: a file placed in Core that names a type of the Http layer is caught.
        var sources = ReadLibrarySources();
        sources.Add(CSharpSyntaxTree.ParseText(
            "namespace DPoP.Http.Internal; internal static class Offender { public static System.Type T => typeof(DPoPDelegatingHandler); }",
            Parse,
            Path.Combine(LibraryDirectory.Value, "Core", "Offender.cs")));

        var (violations, _) = FindViolations(sources);

        Assert.That(violations, Is.EqualTo(new[] { "Core/Offender.cs -> Http: DPoPDelegatingHandler" }));
    }

    [Test]
    public void Assembly_PublicTypesArePublicNamespaces_InternalTypesAreInDPoPHttpInternal()
    {
        var problems = new List<string>();
        foreach (var type in typeof(DPoPKey).Assembly.GetTypes().Where(t => !t.IsNested && t.GetCustomAttribute<System.Runtime.CompilerServices.CompilerGeneratedAttribute>() is null))
        {
            var ns = type.Namespace ?? string.Empty;
            if (type.IsPublic && ns is not ("DPoP.Http" or "Microsoft.Extensions.DependencyInjection"))
            {
                problems.Add($"public {type.FullName} is not in DPoP.Http or Microsoft.Extensions.DependencyInjection");
            }
            else if (!type.IsPublic && ns.StartsWith("DPoP.Http", StringComparison.Ordinal) && ns != "DPoP.Http.Internal")
            {
                problems.Add($"internal {type.FullName} is not in DPoP.Http.Internal");
            }
        }

        Assert.That(problems, Is.Empty);
    }

    [Test]
    public void Sources_FilesInInternalFolders_DeclareTheInternalNamespace_AndOthersDoNot()
    {
        var problems = new List<string>();
        foreach (var tree in ReadLibrarySources())
        {
            var inInternalFolder = tree.FilePath.Split(Path.DirectorySeparatorChar).Contains("Internal");
            var namespaces = tree.GetRoot().DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>().Select(n => n.Name.ToString()).ToArray();
            if (inInternalFolder != namespaces.Contains("DPoP.Http.Internal"))
            {
                problems.Add($"{Relative(tree.FilePath)} declares {string.Join(", ", namespaces)}");
            }
        }

        Assert.That(problems, Is.Empty);
    }

    private static readonly CSharpParseOptions Parse = new(LanguageVersion.Preview);

    private static List<SyntaxTree> ReadLibrarySources() =>
        [.. Directory.EnumerateFiles(LibraryDirectory.Value, "*.cs", SearchOption.AllDirectories)
            .Where(path => Layers.Contains(Relative(path).Split('/')[0]))
            .Select(path => CSharpSyntaxTree.ParseText(File.ReadAllText(path), Parse, path))];

    private static (List<string> Violations, int References) FindViolations(List<SyntaxTree> sources)
    {
        // The project's implicit usings and its global using of the internal namespace.
        var globalUsings = CSharpSyntaxTree.ParseText(
            "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; " +
            "global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks; global using DPoP.Http.Internal;",
            Parse);
        var compilation = CSharpCompilation.Create(
            "LayerCheck",
            [.. sources, globalUsings],
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

        var violations = new SortedSet<string>(StringComparer.Ordinal);
        var references = 0;
        foreach (var tree in sources)
        {
            var from = LayerOf(tree.FilePath);
            var model = compilation.GetSemanticModel(tree);
            foreach (var name in tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>())
            {
                var info = model.GetSymbolInfo(name);
                foreach (var symbol in info.Symbol is { } s ? [s] : info.CandidateSymbols)
                {
                    var type = symbol as INamedTypeSymbol ?? symbol.ContainingType;
                    foreach (var location in type?.OriginalDefinition.Locations ?? [])
                    {
                        if (!location.IsInSource || location.SourceTree == tree || location.SourceTree?.FilePath is not { Length: > 0 } path)
                        {
                            continue;
                        }

                        references++;
                        var to = LayerOf(path);
                        if (Array.IndexOf(Layers, to) > Array.IndexOf(Layers, from))
                        {
                            violations.Add($"{Relative(tree.FilePath)} -> {to}: {type!.Name}");
                        }
                    }
                }
            }
        }

        return ([.. violations], references);
    }

    private static IEnumerable<MetadataReference> References()
    {
        // The framework this test runs on, and the library's package dependencies from the test's output folder.
        var framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var packages = Directory.EnumerateFiles(TestContext.CurrentContext.TestDirectory, "*.dll")
            .Where(path => !Path.GetFileName(path).StartsWith("DPoP.Http", StringComparison.Ordinal));
        return framework.Concat(packages)
            .Where(path => !Path.GetFileName(path).StartsWith("DPoP.Http", StringComparison.Ordinal))
            .DistinctBy(Path.GetFileName)
            .Select(path => MetadataReference.CreateFromFile(path));
    }

    private static string LayerOf(string path) => Relative(path).Split('/')[0];

    private static string Relative(string path) => Path.GetRelativePath(LibraryDirectory.Value, path).Replace(Path.DirectorySeparatorChar, '/');

    private static string FindLibraryDirectory()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "src", "DPoP.Http");
            if (File.Exists(Path.Combine(candidate, "DPoP.Http.csproj")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("src/DPoP.Http not found above the test directory.");
    }
}
