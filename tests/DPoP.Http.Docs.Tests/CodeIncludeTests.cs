using System.Text.RegularExpressions;
using DPoP.Http.Docs.Tests.Support;

namespace DPoP.Http.Docs.Tests;

/// <summary>Every <c>[!code-csharp[](path#region)]</c> of the site names a file and a region that exist, and no page has a C# fence.</summary>
public sealed partial class CodeIncludeTests
{
    private static IEnumerable<string> Pages() =>
        Directory.EnumerateFiles(DocsPage.DocsFolder, "*.md", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}_site{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !p.Contains($"{Path.DirectorySeparatorChar}api{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    [Test]
    public void CodeIncludes_EveryInclude_NamesAnExistingFileAndRegion()
    {
        var broken = new List<string>();
        var count = 0;
        foreach (var page in Pages())
        {
            foreach (Match include in IncludePattern().Matches(File.ReadAllText(page)))
            {
                count++;
                var file = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, include.Groups["path"].Value));
                var region = include.Groups["region"].Value;
                var shown = $"{Path.GetRelativePath(DocsPage.DocsFolder, page)}: {include.Value}";
                if (!File.Exists(file))
                {
                    broken.Add($"{shown} (no such file)");
                }
                else if (region.Length > 0 && !File.ReadLines(file).Any(l => l.Trim() == $"#region {region}"))
                {
                    broken.Add($"{shown} (no '#region {region}' in the file)");
                }
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(count, Is.GreaterThan(0), "no code include was found in docs/");
            Assert.That(broken, Is.Empty, () => $"code includes that name no file or region: {string.Join("; ", broken)}");
        });
    }

    [Test]
    public void Pages_NoCSharpFence_CodeComesFromCompiledFiles()
    {
        var fenced = Pages()
            .Where(p => File.ReadLines(p).Any(l => CSharpFencePattern().IsMatch(l)))
            .Select(p => Path.GetRelativePath(DocsPage.DocsFolder, p))
            .ToList();

        Assert.That(fenced, Is.Empty, () => $"pages with a ```csharp fence (include the code from docs/snippets instead): {string.Join(", ", fenced)}");
    }

    [GeneratedRegex(@"\[!code-csharp\[[^\]]*\]\((?<path>[^)#?]+)(?:#(?<region>[^)]+))?\)\]")]
    private static partial Regex IncludePattern();

    [GeneratedRegex(@"^\s*```\s*(csharp|cs|c#)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex CSharpFencePattern();
}
