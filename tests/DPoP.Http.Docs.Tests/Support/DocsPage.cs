using System.Text.RegularExpressions;

namespace DPoP.Http.Docs.Tests.Support;

/// <summary>A Markdown page of the documentation site, read from the repository's docs/ folder.</summary>
internal sealed partial class DocsPage
{
    private DocsPage(string path, string[] lines)
    {
        Path = path;
        Lines = lines;
    }

    /// <summary>The page's full path.</summary>
    public string Path { get; }

    /// <summary>The page's lines.</summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary>The repository's root: the folder above the test's output that holds DPoP.Http.sln.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The docs/ folder.</summary>
    public static string DocsFolder => System.IO.Path.Combine(RepositoryRoot, "docs");

    /// <summary>Reads <paramref name="relativePath"/> (from docs/).</summary>
    public static DocsPage Read(string relativePath)
    {
        var path = System.IO.Path.Combine(DocsFolder, relativePath);
        return new DocsPage(path, File.ReadAllLines(path));
    }

    /// <summary>The text of every ATX heading (<c>## Text</c>), outside code fences, without its backticks.</summary>
    public IReadOnlyList<string> Headings()
    {
        var headings = new List<string>();
        var inFence = false;
        foreach (var line in Lines)
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                continue;
            }

            if (!inFence && HeadingPattern().Match(line) is { Success: true } match)
            {
                headings.Add(match.Groups["text"].Value.Replace("`", string.Empty, StringComparison.Ordinal).Trim());
            }
        }

        return headings;
    }

    /// <summary>The cells of every table row (<c>| a | b |</c>), trimmed, without backticks; header separators left out.</summary>
    public IReadOnlyList<string[]> TableRows()
    {
        var rows = new List<string[]>();
        foreach (var line in Lines)
        {
            var trimmed = line.Trim();
            if (!trimmed.StartsWith('|') || SeparatorPattern().IsMatch(trimmed))
            {
                continue;
            }

            rows.Add(trimmed.Trim('|').Split('|').Select(c => c.Replace("`", string.Empty, StringComparison.Ordinal).Trim()).ToArray());
        }

        return rows;
    }

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "DPoP.Http.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No DPoP.Http.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+?)\s*#*\s*$")]
    private static partial Regex HeadingPattern();

    [GeneratedRegex(@"^\|[\s:|-]+\|$")]
    private static partial Regex SeparatorPattern();
}
